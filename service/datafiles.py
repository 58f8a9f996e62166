"""Loading YAML data files (glossary, playbooks) into strict pydantic models."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import PlaybookError

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictModel(BaseModel):
    """Base of every data-file model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def load_yaml_model(path: Path, model: type[ModelT]) -> ModelT:
    """``yaml.safe_load`` then validate; any problem raises ``PlaybookError`` naming file and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PlaybookError(path, f"cannot read YAML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(root)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise PlaybookError(path, f"{field}: {first['msg']}{more}") from exc


IdentifiedT = TypeVar("IdentifiedT", bound=BaseModel)


def load_yaml_folder(folder: Path, model: type[IdentifiedT]) -> dict[str, IdentifiedT]:
    """Every ``*.yaml`` in ``folder`` as ``model``, by id; each id must match its file name."""
    items: dict[str, IdentifiedT] = {}
    for path in sorted(folder.glob("*.yaml")):
        item = load_yaml_model(path, model)
        item_id = getattr(item, "id", None)
        if item_id != path.stem:
            raise PlaybookError(path, f"id: {item_id!r} does not match the file name {path.stem!r}")
        items[path.stem] = item
    return items
