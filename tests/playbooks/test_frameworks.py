"""The framework playbooks validate, and broken files fail naming the file and the field."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from service.datafiles import load_yaml_model
from service.errors import PlaybookError
from service.playbooks import FRAMEWORK_LABELS, MOVE_LABELS, load_frameworks
from service.playbooks.frameworks import Framework, MovesPlaybook
from service.settings import PROJECT_ROOT

PLAYBOOKS = PROJECT_ROOT / "playbooks"
SOURCES = PROJECT_ROOT / "knowledge" / "sources"


@pytest.fixture(scope="module")
def frameworks():
    return load_frameworks(PLAYBOOKS)


@pytest.fixture
def broken(tmp_path: Path):
    """A copy of the playbooks folder plus a helper that rewrites one file's parsed YAML."""
    shutil.copytree(PLAYBOOKS / "frameworks", tmp_path / "frameworks")

    def edit(name: str, change) -> Path:
        path = tmp_path / "frameworks" / f"{name}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    return tmp_path, edit


def test_every_file_under_frameworks_validates():
    for path in sorted((PLAYBOOKS / "frameworks").glob("*.yaml")):
        model = MovesPlaybook if path.stem == "moves" else Framework
        assert load_yaml_model(path, model).id == path.stem


def test_label_sets_and_exemplar_counts(frameworks):
    for name, labels in FRAMEWORK_LABELS.items():
        framework = frameworks.framework(name)
        assert framework.labels == list(labels)
        for part in framework.parts:
            assert len(part.exemplars.zh) >= 20 and len(part.exemplars.en) >= 20, (name, part.label)
    assert frameworks.moves.labels == list(MOVE_LABELS)
    for move in frameworks.moves.moves:
        assert len(move.exemplars.zh) >= 12 and len(move.exemplars.en) >= 12, move.label


def test_exemplars_do_not_copy_the_dev_set(frameworks):
    dev = {_key(json.loads(line)["text"]) for line in _dev_lines()}
    for name in ("spin", "lscpa", "fabe"):
        for part in frameworks.framework(name).parts:
            for _, text in part.exemplars.items():
                assert _key(text) not in dev, text


def test_every_cite_anchor_occurs_in_the_handbooks(frameworks):
    corpus = "".join(_squash(path.read_text(encoding="utf-8")) for path in sorted(SOURCES.glob("*.txt")))
    anchors = [
        cite.anchor
        for name in ("spin", "lscpa", "fabe")
        for part in frameworks.framework(name).parts
        for note in part.coaching_notes
        for cite in note.cites
    ]
    assert anchors
    missing = [anchor for anchor in anchors if _squash(anchor) not in corpus]
    assert not missing


def test_unknown_key_names_file_and_field(broken):
    root, edit = broken
    path = edit("spin", lambda data: data["parts"][0].update(colour="red"))
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path == path and "parts.0.colour" in info.value.message


def test_missing_language_names_file_and_field(broken):
    root, edit = broken
    path = edit("lscpa", lambda data: data["parts"][2]["purpose"].pop("en"))
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path == path and "parts.2.purpose.en" in info.value.message


def test_duplicate_label_is_rejected(broken):
    root, edit = broken
    path = edit("fabe", lambda data: data["parts"][1].update(label="feature"))
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path == path and "duplicate label(s) feature" in info.value.message


def test_wrong_label_set_is_rejected(broken):
    root, edit = broken
    path = edit("spin", lambda data: data["parts"][3].update(label="need_benefit"))
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path == path and "missing need_payoff" in info.value.message


def test_empty_exemplar_list_is_rejected(broken):
    root, edit = broken
    path = edit("moves", lambda data: data["moves"][0]["exemplars"].update(en=[]))
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path == path and "moves.0.exemplars.en" in info.value.message


def test_too_few_exemplars_is_rejected(broken):
    root, edit = broken
    path = edit("spin", lambda data: data["parts"][0]["exemplars"].update(zh=["你们有几家门店?"]))
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path == path and "exemplars.zh" in info.value.message


def test_bad_regex_cue_is_rejected(broken):
    root, edit = broken
    path = edit("fabe", lambda data: data["parts"][0]["cues"]["en"].append("(unclosed"))
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path == path and "parts.0.cues.en" in info.value.message


def test_bad_yaml_syntax_names_the_file(broken):
    root, _ = broken
    path = root / "frameworks" / "lscpa.yaml"
    path.write_text("id: lscpa\nparts: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path == path and "cannot read YAML" in info.value.message


def test_missing_file_names_the_file(broken):
    root, _ = broken
    (root / "frameworks" / "moves.yaml").unlink()
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path.name == "moves.yaml"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def _dev_lines() -> list[str]:
    path = PROJECT_ROOT / "bench" / "data" / "utterances_dev.jsonl"
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
