import numpy as np
import pytest

from service.retrieval.fusion import fuse, rescale


def test_rescale_maps_best_to_one_and_depth_th_to_zero():
    scores = np.array([0.5, 3.0, 1.0, 2.0], dtype=np.float32)
    assert rescale(scores, depth=3).tolist() == [0.0, 1.0, 0.0, 0.5]
    assert rescale(np.zeros(4, dtype=np.float32)).tolist() == [0.0] * 4


def test_agreement_of_both_retrievers_beats_a_single_strong_signal():
    dense = np.array([0.9, 0.8, 0.7, 0.1], dtype=np.float32)
    keyword = np.array([0.0, 5.0, 4.0, 0.0], dtype=np.float32)
    fused = fuse({"dense": dense, "keyword": keyword}, {"dense": 0.5, "keyword": 0.5}, depth=4)
    assert int(np.argmax(fused)) == 1


def test_every_signal_needs_a_weight():
    with pytest.raises(KeyError):
        fuse({"dense": np.ones(3)}, {"keyword": 1.0})
