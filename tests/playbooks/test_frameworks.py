"""The framework playbooks validate, and broken files fail naming the file and the field."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from service.datafiles import load_yaml_model
from service.dialogue.rehearsal import check_frameworks
from service.dialogue.rules import REQUIRED_LABELS
from service.errors import PlaybookError
from service.playbooks import MOVE_LABELS, load_frameworks
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


def test_frameworks_come_from_their_files_with_the_labels_the_rehearsal_needs(frameworks):
    files = sorted(p.stem for p in (PLAYBOOKS / "frameworks").glob("*.yaml") if p.stem != "moves")
    assert sorted(frameworks.names) == files
    assert frameworks.names[:3] == ["spin", "fabe", "lscpa"]  # teaching order
    for name, labels in REQUIRED_LABELS.items():
        assert labels <= set(frameworks.framework(name).labels)
    assert frameworks.framework("fabe").multi_label and not frameworks.framework("spin").multi_label
    for framework in frameworks.coaching.values():
        for part in framework.parts:
            assert len(part.exemplars.zh) >= 20 and len(part.exemplars.en) >= 20, (name, part.label)
    assert frameworks.moves.labels == list(MOVE_LABELS)
    for move in frameworks.moves.moves:
        assert len(move.exemplars.zh) >= 12 and len(move.exemplars.en) >= 12, move.label


def test_exemplars_and_examples_copy_no_evaluation_line(frameworks):
    evaluation = {_key(json.loads(line)["text"]) for line in _evaluation_lines()}
    for framework in frameworks.coaching.values():
        texts = [text for part in framework.parts for _, text in part.exemplars.items()]
        for text in [*texts, *(example.text for example in framework.examples)]:
            assert _key(text) not in evaluation, text


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


def test_a_label_the_rehearsal_needs_cannot_go_missing(broken):
    root, edit = broken

    def relabel(data: dict) -> None:
        data["parts"][3]["label"] = "need_benefit"
        data["analyser"]["context"] = {}  # (its priors name need_payoff too)
        data["examples"] = [e for e in data["examples"] if "need_payoff" not in e["labels"]]

    edit("spin", relabel)
    frameworks = load_frameworks(root)  # labels are data ...
    assert "need_benefit" in frameworks.framework("spin").labels
    with pytest.raises(PlaybookError) as info:  # ... but the rehearsal's rules react to need_payoff
        check_frameworks(frameworks)
    assert "spin" in str(info.value.path) and "need_payoff" in info.value.message


def test_a_new_framework_is_a_new_file(broken):
    root, _ = broken
    data = yaml.safe_load((root / "frameworks" / "lscpa.yaml").read_text(encoding="utf-8"))
    data["id"] = "laser"
    (root / "frameworks" / "laser.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    frameworks = load_frameworks(root)
    assert "laser" in frameworks.names and frameworks.names[-1] == "laser"
    assert frameworks.framework("laser").labels == frameworks.framework("lscpa").labels
    check_frameworks(frameworks)


def test_a_file_named_unlike_its_id_is_rejected(broken):
    root, edit = broken
    path = edit("lscpa", lambda data: data.update(id="objections"))
    with pytest.raises(PlaybookError) as info:
        load_frameworks(root)
    assert info.value.path == path and "match the file name" in info.value.message


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


def _evaluation_lines() -> list[str]:
    paths = sorted((PROJECT_ROOT / "bench" / "data").glob("utterances_*.jsonl"))
    return [line for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
