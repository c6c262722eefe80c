"""Score fusion."""

from __future__ import annotations

import numpy as np

from retrieval.fusion import linear_fusion, zscore


def test_zscore_is_centred_and_flat_input_is_zero() -> None:
    z = zscore(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert abs(float(z.mean())) < 1e-6 and z[2] > z[1] > z[0]
    assert not zscore(np.array([5.0, 5.0], dtype=np.float32)).any()
    assert len(zscore(np.zeros(0, dtype=np.float32))) == 0


def test_weight_zero_is_lexical_order_and_one_is_dense_order() -> None:
    lexical = np.array([3.0, 2.0, 1.0], dtype=np.float32)
    dense = np.array([0.1, 0.5, 0.9], dtype=np.float32)
    assert list(np.argsort(-linear_fusion(lexical, dense, 0.0))) == [0, 1, 2]
    assert list(np.argsort(-linear_fusion(lexical, dense, 1.0))) == [2, 1, 0]


def test_scale_of_a_side_does_not_change_the_fused_order() -> None:
    lexical = np.array([12.0, 3.0, 7.0, 0.5], dtype=np.float32)
    dense = np.array([0.80, 0.86, 0.83, 0.81], dtype=np.float32)
    base = np.argsort(-linear_fusion(lexical, dense, 0.5))
    scaled = np.argsort(-linear_fusion(lexical * 100, dense * 0.01, 0.5))
    assert list(base) == list(scaled)



def test_the_dense_weight_moves_towards_the_surer_side() -> None:
    import numpy as np

    from retrieval.fusion import margin_weight

    flat = np.array([1.0, 0.99, 0.98, 0.2], dtype=np.float32)
    sure = np.array([3.0, 1.0, 0.9, 0.2], dtype=np.float32)
    assert margin_weight(flat, sure, 0.7, 0.2) > 0.7  # the dense side stands out
    assert margin_weight(sure, flat, 0.7, 0.2) < 0.7
    assert margin_weight(sure, flat, 0.7, 0.2) >= 0.5  # by at most alpha
    assert margin_weight(flat, sure, 0.7, 0.2) <= 0.9
    assert margin_weight(flat, sure, 0.7, 0.0) == 0.7
    assert margin_weight(flat, sure, 0.0, 0.2) == 0.0
    assert margin_weight(flat, sure, 1.0, 0.2) == 1.0
