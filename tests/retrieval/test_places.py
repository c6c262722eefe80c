"""The gazetteer: provinces a question names, provinces a passage's units belong to."""

from __future__ import annotations

from retrieval.places import provinces_named, provinces_of_units


def test_a_question_names_a_province_with_its_own_accents() -> None:
    assert provinces_named("Ai dự ngày hội ở Thanh Hóa?") == ["thanh hoa"]
    assert provinces_named("Ngày hội ở Thanh Hoá và Cà Mau") == ["thanh hoa", "ca mau"]
    assert provinces_named("ai du ngay hoi o thanh hoa") == ["thanh hoa"]
    # 'Thành' is not 'Thanh' once the question writes accents; 'Thành ủy' names no province.
    assert provinces_named("Bí thư Thành ủy Hóa Bình") == []
    assert provinces_named("Giá vàng hôm nay?") == []


def test_an_unaccented_province_inside_a_district_name_is_not_named() -> None:
    # 'dong son la ai': huyện Đông Sơn, then 'là ai'; Sơn La is not asked about.
    assert provinces_named("bi thu huyen uy dong son la ai") == []
    assert provinces_named("ngay hoi o son la") == ["son la"]
    assert provinces_named("hung my ca mau") == ["ca mau"]


def test_units_after_a_unit_word_give_their_province() -> None:
    text = "Sáng 3-8, Ban Chỉ đạo 138 huyện Đông Sơn và thị trấn Rừng Thông đã tổ chức."
    assert "thanh hoa" in provinces_of_units([text])
    assert provinces_of_units(["tại quận Ninh Kiều"]) == frozenset({"can tho"})
    # Without its unit word a name is a plain word ('phương' folds to 'phuong').
    assert provinces_of_units(["nhiều địa phương Ninh Kiều"]) == frozenset()
