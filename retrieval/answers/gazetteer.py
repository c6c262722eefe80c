"""Vietnamese ranks, positions, honorifics, places and surnames; cue words around names."""

from __future__ import annotations

import re

from .lexicon import _phrases, _words

# --- gazetteer ---------------------------------------------------------------------------

HONORIFICS = _phrases(
    "ông; bà; anh; chị; đồng chí; đ/c; đc; ngài; cụ; các ông; các bà; các đồng chí; "
    "mr; mrs; ms; ngài"
)
RANKS = _phrases(
    "đại tướng; thượng tướng; trung tướng; thiếu tướng; đại tá; thượng tá; trung tá; "
    "thiếu tá; đại úy; thượng úy; trung úy; thiếu úy; chuẩn úy; đô đốc; phó đô đốc; "
    "chuẩn đô đốc; thượng sĩ; trung sĩ; hạ sĩ; binh nhất; binh nhì"
)
# Academic, professional and religious titles written before a name.
PREFIX_TITLES = _phrases(
    "gs; pgs; ts; ths; tskh; bs; bsck; bscki; bsckii; ks; ls; ncs; nsnd; nsưt; nnnd; nngưt; "
    "gs.ts; pgs.ts; gs.tskh; pgs.tskh; ths.bs; ts.bs; giáo sư; phó giáo sư; tiến sĩ; "
    "thạc sĩ; bác sĩ; dược sĩ; luật sư; kỹ sư; kiến trúc sư; nhà báo; nhà văn; nhà thơ; "
    "nhạc sĩ; họa sĩ; đạo diễn; nghệ sĩ; nghệ sĩ nhân dân; nghệ sĩ ưu tú; nhà giáo nhân dân; "
    "nhà giáo ưu tú; thầy thuốc nhân dân; thầy thuốc ưu tú; anh hùng lao động; "
    "anh hùng lực lượng vũ trang nhân dân; hòa thượng; thượng tọa; đại đức; ni sư; "
    "linh mục; giám mục; tổng giám mục; mục sư; doanh nhân"
)
_POSITION_HEADS = _phrases(
    "bộ trưởng; thứ trưởng; thủ tướng; chủ tịch; bí thư; ủy viên; giám đốc; cục trưởng; "
    "vụ trưởng; viện trưởng; trưởng ban; trưởng phòng; trưởng đoàn; trưởng khoa; trưởng; "
    "chánh văn phòng; chánh án; chánh thanh tra; thanh tra; chủ nhiệm; hiệu trưởng; tư lệnh; "
    "chính ủy; tham mưu trưởng; chỉ huy trưởng; đội trưởng; tổ trưởng; đại sứ; lãnh sự; "
    "tổng lãnh sự; người phát ngôn; thư ký; tổng thư ký; biên tập; tổng biên tập; "
    "đại biểu quốc hội; thành viên; thống đốc; kiểm toán trưởng; tổng kiểm toán; "
    "chủ tịch nước; tổng thống; ngoại trưởng; thường trực; chỉ huy; ban; chuyên viên; "
    "điều tra viên; kiểm sát viên; thẩm phán; chấp hành viên; giảng viên; chủ nhiệm ủy ban; "
    "phát ngôn viên; trợ lý; cố vấn; đặc phái viên; trưởng ấp; trưởng thôn; trưởng khóm; "
    "trưởng bản; trưởng công an; trưởng khu phố; cán bộ; chuyên gia; chiến sĩ; nhân viên; "
    "phóng viên; ceo; founder; chairman; director"
)
_POSITION_MODIFIERS = _phrases("nguyên; quyền; cựu; phó; tổng; thứ nhất; phụ trách")
_PREFIXES = RANKS | PREFIX_TITLES  # written before a name: 'Đại tá', 'PGS.TS'
_TITLE_HEADS = _POSITION_HEADS | _PREFIXES

# Provinces, big cities and places written with capitals that can start like a surname.
PLACES = _phrases(
    "an giang; bà rịa; vũng tàu; bắc giang; bắc kạn; bạc liêu; bắc ninh; bến tre; bình định; "
    "bình dương; bình phước; bình thuận; cà mau; cần thơ; cao bằng; đà nẵng; đắk lắk; "
    "đắk nông; điện biên; đồng nai; đồng tháp; gia lai; hà giang; hà nam; hà nội; hà tĩnh; "
    "hải dương; hải phòng; hậu giang; hòa bình; hưng yên; khánh hòa; kiên giang; kon tum; "
    "lai châu; lâm đồng; lạng sơn; lào cai; long an; nam định; nghệ an; ninh bình; "
    "ninh thuận; phú thọ; phú yên; quảng bình; quảng nam; quảng ngãi; quảng ninh; quảng trị; "
    "sóc trăng; sơn la; tây ninh; thái bình; thái nguyên; thanh hóa; thừa thiên huế; "
    "hồ chí minh; tiền giang; trà vinh; tuyên quang; vĩnh long; vĩnh phúc; yên bái; sài gòn; "
    "việt nam; hàn quốc; trung quốc; nhật bản; thái lan; hà lan; hoa kỳ; ấn độ; châu âu; "
    "châu á; châu phi; châu mỹ; đông nam á; hoàng sa; trường sa; tây nguyên; nam bộ; "
    "bắc bộ; trung bộ; cửu long; đà lạt; nha trang; hạ long; buôn ma thuột; biên hòa; "
    "thủ đức; hà đông; mỹ tho; long xuyên; rạch giá; châu đốc; đồng hới; phan thiết; "
    "quy nhơn; tuy hòa; vinh; móng cái; lâm hà"
)
# People never meant by a name on its own (also a city name).
NOT_ATTENDEES = _phrases("hồ chí minh")
# Words before which a capitalised run is a place, street or school, not a person.
ADMIN_WORDS = _phrases(
    "tỉnh; thành phố; tp; tp.; huyện; quận; thị xã; thị trấn; xã; phường; ấp; thôn; khóm; "
    "bản; làng; khu phố; tổ dân phố; đường; phố; đại lộ; cầu; chợ; sông; núi; đảo; hồ"
)
_NOT_PERSON_BEFORE = ADMIN_WORDS | _phrases(
    "trường; học; thpt; thcs; giải; quỹ; huân chương; tàu; khu; lăng; đền; chùa; "
    "nhà; bảo tàng; di tích; tư tưởng; sân; cảng; bến; hẻm; ngõ; kiệt; công ty; "
    "tập đoàn; bệnh viện; ảnh; nguồn; theo; bài; clip; video; "
    "tuyến; trục; nút giao; ngã tư; ngã ba; ngã năm; ngã sáu; cầu vượt; hầm chui; "
    "vành đai; quốc lộ; tỉnh lộ; khu đô thị"
)
SURNAMES = _words(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đồng Đinh "
    "Tô Trương Lương Lâm Mai Đào Đoàn Cao Hà Kiều Lưu Tạ Thái Trịnh Chu Châu Quách "
    "Triệu Tăng Mạc La Lại Tôn Thân Vương Phùng Giang Khổng Khúc Kim Lục Mạch Nghiêm "
    "Phương Tống Từ Vi Hứa Âu Bạch Cù Diệp Đàm Hàn Hầu Kha Khương Lạc Lò Lô Nông Ninh "
    "Phí Sầm Thạch Thiều Trình Ứng Lữ Lã Lăng Cấn Chử Đậu Doãn Giáp Khuất Mẫn Mông Ngụy "
    "Ngũ Nhâm Quản Tào Thang Thiệu Tiêu Trang Tưởng Viên Bế Quan Yên"
)  # not 'Ông': it starts sentences far more often as 'Mr.' than as a surname
# Capitalised syllable + lower-case one that make an organisation word, not a name end.
_COMPOUNDS = _phrases(
    "thanh niên; công an; trung ương; quốc hội; chính phủ; nhà nước; mặt trận; tỉnh ủy; "
    "thành ủy; huyện ủy; đảng ủy; quận ủy; công đoàn; phụ nữ; nông dân; cựu chiến binh; "
    "hội đồng; ủy ban; văn phòng; đại học; học viện; bệnh viện; quân đội; quân khu; "
    "công ty; tập đoàn; ngân hàng; sư đoàn; chiến binh; thương binh; cảnh sát; biên phòng"
)
_ORG_STARTS = _words(
    "Bộ Ban Sở Cục Vụ Viện Ủy Hội Đảng Tỉnh Huyện Quận Xã Phường Công "
    "Chính Nhà Ngân Tập Tòa Tổ Báo Đài Đại Quốc Mặt Liên Hiệp Sư Lữ Quân Trường Bệnh Học "
    "Văn Đoàn Trung Thành Thị Tổng Ngày Lễ Giải Cúp"
)

# Lower-case words (or word pairs) that end a title: verbs and prepositions around names.
_STOP_WORDS = _words(
    "đã đang sẽ vừa cùng trao tặng là có được bị nói nêu thăm gửi nhận ký đến tới "
    "trong khi để với vì nhằm thì mà đi ra sau trước cũng luôn còn rất không chưa đón "
    "lên đọc hỏi dự gồm như theo của cho mời gặp tiếp nghe do bởi nhưng hay hoặc làm"
)
_STOP_PAIRS = _phrases(
    "tham dự; tham gia; phát biểu; cho biết; cho rằng; cho hay; khẳng định; nhấn mạnh; "
    "chủ trì; ghi nhận; đề nghị; đề xuất; yêu cầu; lưu ý; chúc mừng; báo cáo; tin tưởng; "
    "mong muốn; kêu gọi; bày tỏ; chia sẻ; khai mạc; bế mạc; dẫn đầu; làm việc; kiểm tra; "
    "đánh giá; biểu dương; cảm ơn; trân trọng; thay mặt; trả lời; hướng dẫn; quyết định; "
    "phát động; kết luận; trình bày; thông báo; giới thiệu; khen thưởng; điều hành; "
    "hoan nghênh; cắt băng; đánh trống; động viên; khai trương; trao đổi; thảo luận; "
    "quán triệt; chứng kiến; tuyên bố; nhất trí; ủng hộ; lắng nghe; tổ chức; phát hiện; "
    "chỉ đạo; tham quan; dâng hương; thắp hương; chủ động; nhận định; thừa nhận"
)
# 'dự' that is not 'attend': 'Ủy viên dự khuyết', 'dự án', 'dự báo'...
_NOT_ATTEND_DU = _words("khuyết án báo kiến thảo toán phòng trữ định đoán tính luật bị thi trù")

# A sentence that says the people in it were there (matched on lower-cased text).
_ATTEND_CUE = re.compile(
    r"(?<!\w)(?:tham dự|đến dự|dự(?!\s+(?:" + "|".join(sorted(_NOT_ATTEND_DU)) + r")(?!\w))|"
    r"có mặt|chủ trì|phát biểu|trao|tặng|khai mạc|"
    r"bế mạc|dẫn đầu|chúc mừng|về phía|chứng kiến|cắt băng|đánh trống|đến thăm|thăm và|"
    r"làm việc|thay mặt|tiếp(?!\s+(?:tục|theo|đó|nhận|thu|cận|nối|sức|giáp|diễn|tế))|"
    r"tham gia|tham quan|"
    r"tại (?:ngày hội|hội nghị|buổi|lễ|đại hội|chương trình|sự kiện|hội thảo|diễn đàn|"
    r"cuộc|phiên))(?!\w)"
)
# The event itself (where and when it happened is asked about it).
_MAIN_EVENT = re.compile(
    r"(?<!\w)(?:tổ chức|diễn ra|khai mạc|ngày hội|hội nghị|lễ|đại hội|hội thảo|sự kiện)(?!\w)"
)
_EVENT_CUE = re.compile(
    r"(?<!\w)(?:tổ chức|diễn ra|khai mạc|dự|tham dự|ngày hội|hội nghị|lễ|đại hội|hội thảo|"
    r"buổi|sự kiện|chương trình|đến)(?!\w)"
)
_DOCUMENT_BEFORE = re.compile(
    r"(?:số\s*\d+[^\s,;]*\s*,?\s*(?:ngày\s*)?|nghị quyết|quyết định|chỉ thị|kết luận|thông tư|"
    r"nghị định|luật|công văn|ban hành|ký|giai đoạn)\s*$"
)

