"""One function per command: load, authorize, apply the rules, save, emit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import commands as c
from ..context import Context
from . import moderation, questions, sessions, stage

Handler = Callable[[Context, Any], None]

HANDLERS: dict[type[c.Command], Handler] = {
    c.ConfigureTenant: sessions.configure_tenant,
    c.CreateSession: sessions.create_session,
    c.UpdateSession: sessions.update_session,
    c.OpenSession: sessions.lifecycle("open"),
    c.PauseSession: sessions.lifecycle("pause"),
    c.ResumeSession: sessions.lifecycle("resume"),
    c.CloseSession: sessions.lifecycle("close"),
    c.ArchiveSession: sessions.lifecycle("archive"),
    c.SubmitQuestion: questions.submit_question,
    c.EditQuestion: questions.edit_question,
    c.WithdrawQuestion: questions.withdraw_question,
    c.CastVote: questions.cast_vote,
    c.ApproveQuestion: moderation.approve_question,
    c.RejectQuestion: moderation.reject_question,
    c.MergeQuestions: moderation.merge_questions,
    c.UnmergeQuestion: moderation.unmerge_question,
    c.PinQuestion: moderation.pin_question,
    c.TagQuestion: moderation.tag_question,
    c.RestrictParticipant: moderation.restrict_participant,
    c.NextQuestion: stage.next_question,
    c.AnswerQuestion: stage.answer_question,
    c.SkipQuestion: stage.skip_question,
    c.DeferQuestion: stage.defer_question,
}
