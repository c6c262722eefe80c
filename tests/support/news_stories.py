"""Vietnamese news stories written for the ingestion tests and benchmarks (invented)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    date: str  # ISO
    author: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


STORIES: tuple[Story, ...] = (
    Story(
        "le-hoi-hoa-xuan-ha-noi", "Hà Nội khai mạc lễ hội hoa xuân tại công viên Thống Nhất",
        "2024-02-08", "Nguyễn Văn An",
        ("Sáng 8/2, UBND thành phố Hà Nội khai mạc lễ hội hoa xuân tại công viên Thống Nhất "
         "với sự tham gia của hàng nghìn người dân và du khách.",
         "Phát biểu tại buổi lễ, Phó Chủ tịch UBND thành phố Hà Minh Hải cho biết lễ hội năm "
         "nay quy tụ hơn 50 nghệ nhân từ khắp các tỉnh thành, trưng bày hàng trăm loại hoa và "
         "cây cảnh độc đáo.",
         "Lễ hội kéo dài đến hết ngày 15/2, mở cửa miễn phí từ 7 giờ sáng đến 10 giờ tối hằng "
         "ngày. Ban tổ chức dự kiến đón khoảng 200.000 lượt khách tham quan.",
         "Năm nay, khu trưng bày hoa lan rừng Tây Bắc được mở rộng gấp đôi so với năm trước, "
         "kèm theo các buổi hướng dẫn chăm sóc cây cảnh cho người dân.")),
    Story(
        "cau-rong-da-nang-phun-lua", "Cầu Rồng Đà Nẵng phun lửa phục vụ du khách dịp lễ",
        "2024-03-05", "Trần Thị Bình",
        ("Tối 5/3, cầu Rồng bắc qua sông Hàn đã phun lửa và phun nước phục vụ hàng chục nghìn "
         "người dân và du khách đến tham quan thành phố Đà Nẵng.",
         "Theo Sở Du lịch Đà Nẵng, lượng khách đến thành phố trong tháng 3 tăng khoảng 25% so "
         "với cùng kỳ năm ngoái, trong đó khách quốc tế chiếm gần một nửa.",
         "Các khách sạn ven biển Mỹ Khê cho biết công suất phòng đạt trên 80%. Nhiều nhà hàng "
         "hải sản phải tuyển thêm nhân viên thời vụ để phục vụ khách.",
         "Ban quản lý cầu khuyến cáo người dân giữ khoảng cách an toàn khi xem cầu phun lửa "
         "và không dừng xe trên cầu gây ùn tắc giao thông.")),
    Story(
        "lua-dong-bang-song-cuu-long", "Nông dân đồng bằng sông Cửu Long trúng mùa lúa đông xuân",
        "2024-04-12", "Lê Hoàng Phúc",
        ("Vụ lúa đông xuân năm nay, nông dân các tỉnh đồng bằng sông Cửu Long thu hoạch năng "
         "suất bình quân 7,2 tấn mỗi héc-ta, cao hơn vụ trước khoảng nửa tấn.",
         "Giá lúa tươi tại ruộng dao động từ 7.500 đến 8.200 đồng mỗi ki-lô-gam, giúp nhiều hộ "
         "nông dân ở An Giang, Đồng Tháp và Cần Thơ có lãi trên 40%.",
         "Ông Nguyễn Văn Tám, nông dân ở huyện Thoại Sơn, cho biết gia đình ông thu hoạch năm "
         "héc-ta và bán hết cho thương lái ngay tại ruộng.",
         "Bộ Nông nghiệp khuyến cáo các địa phương chủ động nguồn nước cho vụ hè thu sắp tới vì "
         "nguy cơ xâm nhập mặn vẫn còn ở các huyện ven biển.")),
    Story(
        "khanh-thanh-benh-vien-hue", "Khánh thành bệnh viện đa khoa 500 giường tại Thừa Thiên Huế",
        "2024-05-20", "Phạm Minh Quân",
        ("Ngày 20/5, tỉnh Thừa Thiên Huế khánh thành bệnh viện đa khoa quy mô 500 giường với "
         "tổng vốn đầu tư hơn 1.200 tỷ đồng.",
         "Bệnh viện được trang bị hệ thống chụp cộng hưởng từ, phòng mổ hiện đại và khu điều "
         "trị ung bướu, giúp người dân không phải chuyển tuyến ra Hà Nội hay vào TP Hồ Chí Minh.",
         "Giám đốc Sở Y tế cho biết bệnh viện sẽ tiếp nhận bệnh nhân từ tháng 6, trước mắt mở "
         "các khoa nội, ngoại, sản và nhi.",
         "Tỉnh cũng đang tuyển thêm 300 bác sĩ và điều dưỡng, ưu tiên những người tốt nghiệp "
         "Trường Đại học Y Dược Huế.")),
    Story(
        "mua-lon-mien-trung", "Mưa lớn gây ngập sâu nhiều tuyến phố ở Quảng Ngãi",
        "2024-10-28", "Võ Thanh Tùng",
        ("Mưa lớn kéo dài từ đêm 27 đến sáng 28/10 khiến nhiều tuyến phố ở thành phố Quảng Ngãi "
         "ngập sâu từ 0,5 đến 1 mét, giao thông bị chia cắt.",
         "Ban Chỉ huy phòng chống thiên tai tỉnh đã di dời hơn 2.000 hộ dân ở vùng trũng thấp "
         "đến nơi an toàn trước khi nước lên.",
         "Lực lượng công an và quân đội được huy động dùng xuồng cứu hộ đưa người già và trẻ em "
         "ra khỏi khu vực ngập, đồng thời phát mì tôm và nước uống.",
         "Trung tâm Dự báo khí tượng thủy văn quốc gia cảnh báo mưa lớn còn kéo dài đến hết "
         "ngày 30/10, nguy cơ lũ quét và sạt lở đất ở các huyện miền núi.")),
    Story(
        "giai-chay-marathon-sai-gon", "Hơn mười nghìn vận động viên dự giải marathon Sài Gòn",
        "2024-12-01", "Đặng Thu Hà",
        ("Sáng 1/12, hơn mười nghìn vận động viên trong và ngoài nước tham gia giải chạy "
         "marathon quốc tế TP Hồ Chí Minh với xuất phát tại đường Nguyễn Huệ.",
         "Giải có bốn cự ly gồm 5 km, 10 km, 21 km và 42 km, đi qua cầu Thủ Thiêm, khu đô thị "
         "Sala và nhiều tuyến đường trung tâm thành phố.",
         "Vận động viên Nguyễn Thị Oanh giành chức vô địch nội dung marathon nữ với thành tích "
         "2 giờ 45 phút, phá kỷ lục của giải.",
         "Ban tổ chức bố trí 20 trạm tiếp nước và 5 điểm y tế dọc đường chạy; toàn bộ tiền bán "
         "vé được trích một phần ủng hộ quỹ khuyến học của thành phố.")),
)

# The same story as STORIES[1] retold by another outlet (a byline added, a word changed).
COPY_OF_1 = Story(
    "cau-rong-phun-lua-ban-sao", "Du khách đổ về xem cầu Rồng phun lửa",
    "2024-03-05", "Theo TTXVN",
    (*STORIES[1].paragraphs[:3],
     "Ban quản lý cầu khuyến cáo người dân giữ khoảng cách an toàn khi xem cầu phun lửa "
     "và không dừng xe trên cầu gây ùn tắc.", "(Theo TTXVN)"))
