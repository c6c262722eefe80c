"""What each person named in a sentence did at the event: attended, spoke, presided, handed
out awards, or was awarded, from the verbs written around their name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..types import Role

ROLES: tuple[Role, ...] = ("attended", "spoke", "presided", "awarded", "was_awarded")


def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + pattern + r")(?!\w)")


# Verbs after a name say what that person did; only some also introduce the names after
# them ('Phát biểu tại ngày hội, ông A…', 'Dự và chủ trì hội nghị có …'): 'cho biết' or
# 'báo cáo' before a name is mostly a noun or someone else's words.
_WAS_AWARDED = _cue(
    r"được (?:trao|tặng|trao tặng|khen thưởng|vinh danh|nhận)|vinh dự nhận|"
    r"nhận (?:bằng khen|giấy khen|huân chương|huy chương|kỷ niệm chương|cờ|giải|danh hiệu|"
    r"phần thưởng|quà)"
)
_AWARDED = _cue(r"trao tặng|trao|tặng|khen thưởng|gắn huy hiệu")
_PRESIDED = _cue(r"đồng chủ trì|chủ trì|chủ tọa|điều hành")
_SPOKE_LEAD = _cue(r"phát biểu|nói chuyện")
_SPOKE = _cue(
    r"phát biểu|nói chuyện|cho biết|nhấn mạnh|khẳng định|chia sẻ|đề nghị|kêu gọi|yêu cầu|"
    r"báo cáo|trình bày|kết luận|phát động|nói"
)
# 'trao Bằng khen cho ông A', 'trao … tặng ông B': the name after is the one awarded.
_RECIPIENT = _cue(r"cho(?! (?:biết|rằng|hay|thấy|phép))|tặng|trao tặng")


_PATTERNS: tuple[tuple[re.Pattern[str], Role, bool], ...] = (
    (_WAS_AWARDED, "was_awarded", True),  # first: 'được trao' is not also 'trao'
    (_AWARDED, "awarded", True),
    (_PRESIDED, "presided", True),
    (_SPOKE, "spoke", False),
)


@dataclass(frozen=True, slots=True)
class Cue:
    """A verb of the sentence, with its offsets in the passage and the role it names."""

    start: int
    end: int
    role: Role
    lead: bool  # it may introduce the names written after it


def role_cues(sentence: str, offset: int) -> list[Cue]:
    """Role verbs of the (lower-cased) sentence; 'được trao' is not also 'trao'."""
    cues: list[Cue] = []
    taken: list[tuple[int, int]] = []
    for pattern, role, lead in _PATTERNS:
        for m in pattern.finditer(sentence):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            is_lead = lead or bool(_SPOKE_LEAD.fullmatch(m.group()))
            cues.append(Cue(offset + m.start(), offset + m.end(), role, is_lead))
    return sorted(cues, key=lambda c: c.start)


@dataclass(frozen=True, slots=True)
class Span:
    """Where a person is named: the name's offsets, and how far on their own verbs reach."""

    start: int
    end: int
    reach: int  # end of the name and titles, plus the cue reach


def mention_roles(text: str, cues: Sequence[Cue], spans: Sequence[Span],
                  attended: Sequence[bool]) -> list[frozenset[Role]]:
    """The roles of each person named in a sentence.

    A verb after a name and its titles (and before the next name) is that person's own
    ('A, Thứ trưởng …, tham dự và phát biểu'); a leading verb nobody owns applies to the
    names after it ('Dự và chủ trì hội nghị có A; B'); an award handed by one person to a
    name written after 'cho' / 'tặng' makes that name the one awarded.
    """
    owners: list[int | None] = []
    for cue in cues:
        owner = None
        for index, span in enumerate(spans):
            following = spans[index + 1].start if index + 1 < len(spans) else len(text)
            if span.end <= cue.start <= span.reach and cue.start < following:
                owner = index
        owners.append(owner)
    out: list[frozenset[Role]] = []
    for index, span in enumerate(spans):
        roles: set[Role] = {"attended"} if attended[index] else set()
        for cue, owner in zip(cues, owners, strict=True):
            if owner == index:
                roles.add(cue.role)
            elif cue.end <= span.start:
                between = text[cue.end:span.start].lower()
                if cue.role == "awarded" and _RECIPIENT.search(between):
                    roles.add("was_awarded")
                elif owner is None and cue.lead:
                    roles.add(cue.role)
        out.append(frozenset(roles))
    return out
