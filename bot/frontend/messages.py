"""Every message the CLI and the REPL write, in Vietnamese (the default) and English.

One table: a key names a (Vietnamese, English) pair of `str.format` templates. The language
is NEWSQA_LANGUAGE (`vi` or `en`, environment or `.env`), read before the arguments are
parsed so that usage errors speak it too.
"""

from __future__ import annotations

import os
from pathlib import Path

LANGUAGES = ("vi", "en")
ENV_NAME = "NEWSQA_LANGUAGE"

MESSAGES: dict[str, tuple[str, str]] = {
    # --- errors at the boundary -------------------------------------------------------------
    "interrupted": ("đã dừng (Ctrl-C).", "interrupted."),
    "invalid_setting": ("giá trị {name}={value!r} không hợp lệ: {reason}.",
                        "invalid setting {name}={value!r}: {reason}."),
    "invalid_setting_plain": ("thiết lập không hợp lệ: {reason}.", "invalid setting: {reason}."),
    "bad_top_k": ("-k phải là một số nguyên từ 1 đến {most}, không phải {value!r}",
                  "-k must be a whole number from 1 to {most}, not {value!r}"),
    "no_such_model_folder": ("không có thư mục mô hình {path} (--model / "
                             "NEWSQA_EMBEDDING_MODEL).",
                             "no such folder: {path} (--model / NEWSQA_EMBEDDING_MODEL)."),
    "articles_too_deep": ("thư mục bài báo {path} lồng quá sâu (hơn {depth} cấp): hãy chọn "
                          "một thư mục nông hơn.",
                          "the articles folder {path} is nested too deep (over {depth} "
                          "levels): choose a shallower folder."),
    # --- core errors, by class (the English is the core's own wording) ----------------------
    "IndexNotFoundError": ("chưa có chỉ mục trong {index_dir}. Hãy lập bằng: newsqa index",
                           "No index in {index_dir}. Build it with: newsqa index"),
    "IndexMismatchError": ("chỉ mục không khớp với thiết lập hiện tại ({what}). Hãy lập lại "
                           "bằng: newsqa index --full",
                           "The index does not match the current settings ({what}). "
                           "Rebuild it with: newsqa index --full"),
    "CorruptIndexError": ("không đọc được tệp chỉ mục {path} ({detail}). Hãy lập lại bằng: "
                          "newsqa index --full",
                          "Index file {path} is unreadable ({detail}). Rebuild it with: "
                          "newsqa index --full"),
    "IndexLockedError": ("một lệnh `newsqa index` khác đang lập chỉ mục {index_dir}; hãy chờ "
                         "nó xong rồi thử lại.",
                         "Another `newsqa index` is already building {index_dir}; wait for "
                         "it to finish and try again."),
    "NoArticlesError": ("không có bài báo .txt nào đọc được trong {articles_dir}.",
                        "No readable .txt articles in {articles_dir}."),
    # --- building -----------------------------------------------------------------------
    "building_missing": ("Chưa có chỉ mục trong {index_dir}: đang lập từ {articles_dir} "
                         "trước.",
                         "No index in {index_dir} yet: building it from {articles_dir} "
                         "first."),
    "creating_new_index": ("Thư mục chỉ mục {index_dir} chưa có: đang tạo một chỉ mục mới ở "
                           "đó (gõ nhầm --index? Ctrl-C để dừng).",
                           "No index folder {index_dir}: creating a new index there "
                           "(mistyped --index? Ctrl-C stops it)."),
    "skipped": ("cảnh báo: bỏ qua {file}: {reason}", "warning: skipped {file}: {reason}"),
    "summary": ("Chỉ mục sẵn sàng: {articles}, {passages}; {embedded} đã nhúng ({rate:.1f}/s), "
                "{reused} dùng lại{extra}; {seconds:.1f}s.",
                "Index ready: {articles}, {passages}; {embedded} embedded ({rate:.1f}/s), "
                "{reused} reused{extra}; {seconds:.1f}s."),
    "summary_removed": ("; {count} bài đã xoá", "; {count} removed"),
    "summary_skipped": ("; {files} bị bỏ qua", "; {files} skipped"),
    "progress_label": ("đang nhúng các đoạn", "embedding passages"),
    "progress_rate": ("{rate:.1f} đoạn/s", "{rate:.1f} passages/s"),
    "tuned_in_force": ("Đang dùng trọng số hợp nhất đã tinh chỉnh (có dấu {accented:.2f}, "
                       "không dấu {unaccented:.2f}, từ `newsqa eval --tune`); "
                       "`newsqa eval --reset-tuning` trở lại mặc định.",
                       "Tuned fusion weights in force (accented {accented:.2f}, unaccented "
                       "{unaccented:.2f}, from `newsqa eval --tune`); `newsqa eval "
                       "--reset-tuning` returns to the defaults."),
    # --- ask --------------------------------------------------------------------------------
    "empty_question": ("câu hỏi trống: hãy gõ vài từ để tìm.",
                       "the question is empty: type a few words to search for."),
    "line_header": ("── {line}: {question}", "── {line}: {question}"),
    "blank_line": ("(dòng trống)", "(blank line)"),
    "line_error": ("Lỗi: {error}", "Error: {error}"),
    # --- sources ----------------------------------------------------------------------------
    "no_date": ("—", "—"),
    # --- eval -------------------------------------------------------------------------------
    "eval_needs_questions": ("newsqa eval: cần một tệp (hoặc thư mục) câu hỏi.",
                             "newsqa eval: a question file (or folder) is needed."),
    "feedback_or_file": ("--feedback thay cho tệp câu hỏi: chỉ dùng một trong hai.",
                         "--feedback replaces the question file: give one of them."),
    "feedback_missing": ("Chưa có tệp góp ý {path}: bot lưu các lượt 👍 / 👎 ở đó "
                         "(TELEGRAM_FEEDBACK_PATH, mặc định feedback.sqlite3 trong thư mục chỉ "
                         "mục).",
                         "No feedback file at {path}: the bot stores the 👍 / 👎 presses there "
                         "(TELEGRAM_FEEDBACK_PATH, default feedback.sqlite3 in the index "
                         "folder)."),
    "feedback_none": ("Chưa có lượt 👍 nào trong {path} ({down} lượt 👎): chưa có câu hỏi để "
                      "đánh giá.",
                      "No 👍 presses in {path} yet ({down} 👎): no questions to evaluate."),
    "feedback_counts": ("Góp ý trong {path}: {up} lượt 👍 thành {questions} câu hỏi (câu hỏi -> "
                        "bài của đoạn đầu tiên được thích); {down} lượt 👎 (không đánh giá).",
                        "Feedback in {path}: {up} 👍 presses make {questions} questions "
                        "(question -> file of the first liked passage); {down} 👎 presses "
                        "(not evaluated)."),
    "reset_alone": ("--reset-tuning không đi kèm tệp câu hỏi hay --tune.",
                    "--reset-tuning takes no question file and no --tune."),
    "reset_done": ("Đã xoá trọng số đã tinh chỉnh của {index_dir}: trọng số mặc định được "
                   "dùng.",
                   "Removed the tuned fusion weights of {index_dir}: the default weights are "
                   "in force."),
    "reset_nothing": ("{index_dir} không có trọng số đã tinh chỉnh: trọng số mặc định vẫn "
                      "được dùng.",
                      "No tuned fusion weights in {index_dir}: the default weights are "
                      "already in force."),
    "private_index": ("eval: {articles_dir} không phải thư mục bài báo đã cấu hình: dùng chỉ "
                      "mục riêng ở {index_dir}",
                      "eval: {articles_dir} is not the configured articles folder: using a "
                      "private index in {index_dir}"),
    "gold_missing": ("cảnh báo: {count} câu hỏi có gold_file không nằm trong bộ bài báo, đã "
                     "bỏ qua: {files}",
                     "warning: {count} questions name a gold_file that is not in the "
                     "collection, skipped: {files}"),
    "no_gold_left": ("không câu hỏi nào có gold_file nằm trong {articles_dir}.",
                     "no question's gold_file is in {articles_dir}."),
    "tune_too_few": ("tinh chỉnh: {questions} câu hỏi là quá ít để phân biệt các trọng số "
                     "(cần ít nhất {least}); không lưu gì, trọng số mặc định vẫn được dùng.",
                     "tuning: {questions} questions are too few to tell weights apart (at "
                     "least {least} needed); nothing stored, the default weights stay in "
                     "force."),
    "tune_head": ("tinh chỉnh: khớp trên {fitted} câu hỏi, kiểm tra trên {held} câu giữ lại "
                  "(cứ {every} câu giữ 1):",
                  "tuning: fitted on {fitted} questions, checked on {held} held out (every "
                  "{every}rd question):"),
    "tune_kind": ("  {label:22} mặc định {default:.2f}: MRR@10 trên phần giữ lại "
                  "{held_default:.3f}; khớp được {fitted:.2f}: {held_fitted:.3f} (chênh "
                  "{gain:+.3f}, cần {margin:+.3f}) -> {verdict}",
                  "  {label:22} default {default:.2f}: held-out MRR@10 {held_default:.3f}; "
                  "fitted {fitted:.2f}: {held_fitted:.3f} (gain {gain:+.3f}, needs "
                  "{margin:+.3f}) -> {verdict}"),
    "kind_accented": ("câu hỏi có dấu", "as written"),
    "kind_stripped": ("bỏ dấu", "diacritics stripped"),
    "verdict_stored": ("lưu {weight:.2f}", "stored {weight:.2f}"),
    "verdict_kept": ("giữ mặc định", "kept the default"),
    "verdict_same": ("giữ mặc định (phép khớp cũng chọn nó)",
                     "kept the default (the fit chose it too)"),
    "tune_stored": ("đã lưu trọng số có dấu {accented:.2f}, không dấu {unaccented:.2f} vào "
                    "{path}; ask, repl và bot trên {index_dir} sẽ dùng chúng. Hoàn tác: "
                    "newsqa eval --reset-tuning --index {index_dir}",
                    "stored dense weights accented {accented:.2f}, unaccented "
                    "{unaccented:.2f} in {path}; ask, repl and bot over {index_dir} use "
                    "them. Undo: newsqa eval --reset-tuning --index {index_dir}"),
    "tune_kept": ("không trọng số nào hơn mặc định trên phần giữ lại: không lưu gì, trọng "
                  "số mặc định vẫn được dùng.",
                  "no weight beat the default on the held-out questions: nothing stored, "
                  "the default weights stay in force."),
    "tune_cleared": ("(đã xoá trọng số tinh chỉnh trước đó)",
                     "(the weights tuned earlier were removed)"),
    "tune_override": ("lưu ý: NEWSQA_DENSE_WEIGHT_ACCENTED / _UNACCENTED đang được đặt và "
                      "thắng trọng số đã tinh chỉnh: bỏ chúng đi để dùng trọng số này.",
                      "note: NEWSQA_DENSE_WEIGHT_ACCENTED / _UNACCENTED are set and win over "
                      "tuned weights: unset them to use these."),
    "held_out_scores": ("Điểm dưới đây: {count} câu hỏi giữ lại, với trọng số đang dùng.",
                        "Scores below: the {count} held-out questions, with the weights now "
                        "in force."),
    "table_written": ("câu hỏi như đã viết", "questions as written"),
    "table_stripped": ("bỏ dấu", "diacritics stripped"),
    # --- hint-bot ---------------------------------------------------------------------------
    "hint_bot": ("Đã đặt TELEGRAM_BOT_TOKEN: chạy bot Telegram bằng `.venv/bin/newsqa bot`.",
                 "TELEGRAM_BOT_TOKEN is set: start the Telegram bot with "
                 "`.venv/bin/newsqa bot`."),
    # --- the REPL -------------------------------------------------------------------------
    "repl_prompt": ("hỏi> ", "ask> "),
    "repl_banner": ("newsqa · hỏi đáp tin tức. Gõ câu hỏi rồi nhấn Enter; :help xem các lệnh, "
                    ":quit hoặc Ctrl-D để thoát.",
                    "newsqa · news questions. Type a question and press Enter; :help lists "
                    "the commands, :quit or Ctrl-D leaves."),
    "repl_help": ("""Gõ câu hỏi rồi nhấn Enter. Các lệnh:
  :more       xem thêm kết quả cho câu hỏi vừa rồi
  :k N        số đoạn mỗi câu trả lời (hiện tại: {top_k})
  :sources    các bài báo đã lập chỉ mục
  :people [TÊN]  những người được nhắc đến, hoặc các sự kiện của một người; :events  các sự kiện
  :json       bật/tắt hiện JSON thô (hiện tại: {json})
  :reload     nạp chỉ mục mới sau khi chạy `newsqa index`
  :help       trợ giúp này
  :quit       thoát (hoặc Ctrl-D)
Ctrl-C xoá dòng đang gõ; ↑/↓ duyệt các câu đã hỏi. Lịch sử: {history}""",
                  """Type a question and press Enter. Commands:
  :more       more results for the last question
  :k N        passages per answer (now: {top_k})
  :sources    the indexed articles
  :people [NAME]  the people named, or one person's events; :events  the events
  :json       raw JSON on/off (now: {json})
  :reload     load the new index after `newsqa index`
  :help       this help
  :quit       leave (or Ctrl-D)
Ctrl-C clears the line being typed; Up/Down browse earlier questions. History: {history}"""),
    "repl_on": ("bật", "on"),
    "repl_off": ("tắt", "off"),
    "repl_unknown": ("Không có lệnh {name}. Gõ :help để xem các lệnh.",
                     "No command {name}. Type :help for the commands."),
    "repl_no_words": ("Câu hỏi không có từ nào để tìm: hãy gõ vài từ.",
                      "The question has no word to search for: type a few words."),
    "repl_more_left": ("Còn {left} đoạn nữa: gõ :more.", "{left} more: type :more."),
    "repl_more_first": ("Chưa có câu hỏi nào để xem thêm: hãy hỏi trước.",
                        "No question to show more of yet: ask one first."),
    "repl_more_done": ("Không còn kết quả nào nữa (đã hiện hết {total} đoạn).",
                       "No more results (all {total} shown)."),
    "repl_more_none": ("Không còn kết quả nào nữa.", "No more results."),
    "repl_k_now": ("Mỗi câu trả lời có {top_k} đoạn. Đổi bằng :k N (1 đến {most}).",
                   "{top_k} passages per answer. Change it with :k N (1 to {most})."),
    "repl_k_bad": ("Dùng :k N với N từ 1 đến {most} (hiện tại: {top_k}).",
                   "Use :k N with N from 1 to {most} (now: {top_k})."),
    "repl_k_set": ("Từ giờ mỗi câu trả lời có {value} đoạn.",
                   "From now on {value} passages per answer."),
    "repl_json_on": ("Đã bật JSON thô.", "Raw JSON on."),
    "repl_json_off": ("Đã tắt JSON thô.", "Raw JSON off."),
    "repl_reload_failed": ("Không nạp được chỉ mục mới: {error}",
                           "Could not load the new index: {error}"),
    "repl_reloaded": ("Đã nạp chỉ mục mới: {articles}, {passages}.",
                      "Loaded the new index: {articles}, {passages}."),
    "repl_unchanged": ("Chỉ mục không đổi: chưa có bản nào mới hơn.",
                       "The index is unchanged: no newer one yet."),
    "repl_cancelled": ("Đã huỷ.", "Cancelled."),
    "repl_waiting": ("Đang chờ tải xong {what}…", "Waiting for {what} to load…"),
    "repl_what": ("mô hình ({model}) và chỉ mục {index_dir}",
                  "the model ({model}) and the index {index_dir}"),
    "repl_history_memory": ("Không ghi được lịch sử vào {path} ({reason}); lịch sử chỉ được "
                            "giữ trong phiên này.",
                            "Cannot write the history to {path} ({reason}); it is kept for "
                            "this session only."),
    "repl_index_ready": ("Chỉ mục {index_dir}: {articles}, {passages}.",
                         "Index {index_dir}: {articles}, {passages}."),
    "repl_loading": ("Đang tải {what}… bạn có thể gõ câu hỏi ngay.",
                     "Loading {what}… you can type a question now."),
    # --- answers (plain and REPL) -------------------------------------------------------
    "answer_date": ("Thời gian", "When"),
    "answer_place": ("Địa điểm", "Where"),
    "no_results": ("Không tìm thấy đoạn nào phù hợp.", "No matching passage found."),
    "unknown_date": ("không rõ ngày", "date unknown"),
    "sources_title": ("{articles} đã lập chỉ mục", "{articles} indexed"),
    "col_date": ("Ngày", "Date"),
    "col_passages": ("Đoạn", "Passages"),
    "col_file": ("Tệp", "File"),
    "col_title": ("Tiêu đề", "Title"),
    # --- nouns with a count -----------------------------------------------------------------
    "n_articles": ("{count} bài báo", "{count} article|{count} articles"),
    "n_passages": ("{count} đoạn", "{count} passage|{count} passages"),
    "n_files": ("{count} tệp", "{count} file|{count} files"),
}

_language = "vi"


def detect_language(env_file: Path = Path(".env")) -> str:
    """NEWSQA_LANGUAGE from the environment, else `.env`, else Vietnamese."""
    value = os.environ.get(ENV_NAME)
    if value is None:
        try:
            for line in env_file.read_text(encoding="utf-8").splitlines():
                name, sep, raw = line.strip().partition("=")
                if sep and name.strip() == ENV_NAME:
                    value = raw.strip().strip("'\"")
        except (OSError, UnicodeDecodeError):
            value = None
    value = (value or "vi").strip().lower()
    return value if value in LANGUAGES else "vi"


def set_language(language: str) -> None:
    global _language
    _language = language if language in LANGUAGES else "vi"


def language() -> str:
    return _language


def t(key: str, *, english: bool | None = None, **params: object) -> str:
    """The message ``key`` in the current language, or as ``english`` says."""
    vi, en = MESSAGES[key]
    wanted = _language == "en" if english is None else english
    return (en if wanted else vi).format(**params)


def count(key: str, number: int) -> str:
    """"1 passage" / "2 passages" (Vietnamese nouns do not change)."""
    text = t(key, count=number)
    if "|" in text:
        one, many = text.split("|", 1)
        return one if number == 1 else many
    return text


def describe(error: BaseException) -> str:
    """A core error in the current language: by its class when it carries its details (the
    free-text ones keep the core's English wording)."""
    name = type(error).__name__
    if name in MESSAGES:
        try:
            return t(name, **vars(error))
        except (KeyError, IndexError):
            pass
    return str(error)
