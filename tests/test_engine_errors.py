"""An engine without an operation an analysis needs says so: which engine, which operation."""

from __future__ import annotations

import ibis.common.exceptions as com
import ibis.expr.types as ir
import pytest

import journeylib as jl
from journeylib.errors import EngineError
from journeylib.i18n import t


def lacking(operation: str):
    def run(self, *args, **kwargs):
        raise com.OperationNotDefinedError(
            f"Compilation rule for {operation!r} operation is not defined")
    return run


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_a_missing_operation_names_the_engine_and_the_operation(monkeypatch, lang) -> None:
    ds = jl.load(jl.sample.generate(n_customers=30, seed=2))
    monkeypatch.setattr(ir.Table, "to_pandas", lacking("ArgMin"))
    with pytest.raises(EngineError) as raised:
        jl.emotion_curve(ds, "touchpoint")
    error = raised.value
    assert isinstance(error, jl.DataError)  # the app shows it as the section's reason
    assert error.code == "errors.engine_lacks_operation"
    assert error.params == {"engine": "duckdb", "operation": "ArgMin"}
    words = error.words(lang)
    assert "duckdb" in words and "ArgMin" in words
    assert words == t("errors.engine_lacks_operation", lang, engine="duckdb", operation="ArgMin")


def test_scalars_and_arrow_results_say_so_too(monkeypatch) -> None:
    ds = jl.load(jl.sample.generate(n_customers=30, seed=2))
    monkeypatch.setattr(ir.Expr, "execute", lacking("CountDistinct"))
    monkeypatch.setattr(ir.Expr, "to_pyarrow", lacking("ArrayCollect"))
    with pytest.raises(EngineError, match="CountDistinct"):
        jl.moments_of_truth(ds, "purchase")
    with pytest.raises(EngineError, match="ArrayCollect"):
        jl.attribution(ds, ["linear"], n_boot=0)
