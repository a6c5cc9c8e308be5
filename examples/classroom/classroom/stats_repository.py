"""The numbers of the school dashboard: aggregates over one school's users, courses and questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func
from sqlmodel import Session, col, select

from classroom import clock
from classroom.enums import Period, Role, UserStatus
from classroom.models import Course, Question, User
from classroom.pricing import cost_expression
from classroom.schemas import (
    CourseNumbers,
    DailyPoint,
    DayCost,
    LeaderboardEntry,
    ModelUsage,
    QuestionNumbers,
    StatsOverview,
    UsageReport,
    UserNumbers,
)

COST = cost_expression(Question.model, Question.prompt_tokens, Question.completion_tokens)
TOKENS = Question.prompt_tokens + Question.completion_tokens
DAY = func.date(Question.created_at)


class StatsRepository:
    def __init__(self, session: Session, tenant_id: int) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.now = clock.now()

    def _since(self, period: Period) -> datetime:
        return clock.start_of(clock.window(period.days, self.now)[0])

    def _questions(self, period: Period | None = None):
        query = select(Question).where(Question.tenant_id == self.tenant_id)
        return query if period is None else query.where(Question.created_at >= self._since(period))

    def overview(self, period: Period) -> StatsOverview:
        days = clock.window(period.days, self.now)
        return StatsOverview(
            tenant_id=self.tenant_id, period=period, from_=days[0], to=days[-1],
            users=self._user_numbers(period), courses=self._course_numbers(period),
            questions=self._question_numbers(period), daily=self._daily(period, days),
        )

    def _user_numbers(self, period: Period) -> UserNumbers:
        new = func.count(User.id).filter(User.created_at >= self._since(period))
        rows = self.session.exec(select(User.role, User.status, func.count(), new)
                                 .where(User.tenant_id == self.tenant_id).group_by(User.role, User.status)).all()
        by_role = {role: sum(count for r, _s, count, _n in rows if r == role) for role in Role}
        active_askers = self.session.exec(
            select(func.count(distinct(Question.user_id))).where(Question.tenant_id == self.tenant_id,
                                                                 Question.created_at >= self._since(period))).one()
        return UserNumbers(
            total=sum(row[2] for row in rows),
            active=sum(count for _r, status, count, _n in rows if status == UserStatus.active),
            students=by_role[Role.student], teachers=by_role[Role.teacher], admins=by_role[Role.admin],
            new_in_period=sum(row[3] for row in rows), active_in_period=active_askers,
        )

    def _course_numbers(self, period: Period) -> CourseNumbers:
        total = self.session.exec(select(func.count()).select_from(Course)
                                  .where(Course.tenant_id == self.tenant_id)).one()
        with_activity = self.session.exec(
            select(func.count(distinct(Question.course_id))).where(Question.tenant_id == self.tenant_id,
                                                                   Question.created_at >= self._since(period))).one()
        return CourseNumbers(total=total, with_activity=with_activity)

    def _question_numbers(self, period: Period) -> QuestionNumbers:
        total = self.session.exec(select(func.count()).select_from(self._questions().subquery())).one()
        count, tokens, cost = self.session.exec(
            select(func.count(), func.coalesce(func.sum(TOKENS), 0), func.coalesce(func.sum(COST), 0.0))
            .where(Question.tenant_id == self.tenant_id, Question.created_at >= self._since(period))).one()
        return QuestionNumbers(total=total, in_period=count, tokens_in_period=tokens, cost_usd_in_period=round(cost, 4))

    def _daily(self, period: Period, days) -> list[DailyPoint]:
        rows = self.session.exec(
            select(DAY, func.count(), func.count(distinct(Question.user_id)), func.sum(TOKENS))
            .where(Question.tenant_id == self.tenant_id, Question.created_at >= self._since(period))
            .group_by(DAY)).all()
        found = {day: (count, users, tokens) for day, count, users, tokens in rows}
        points = []
        for day in days:
            count, users, tokens = found.get(day.isoformat(), (0, 0, 0))
            points.append(DailyPoint(date=day, questions=count, active_users=users, tokens=tokens))
        return points

    def usage(self, period: Period) -> UsageReport:
        since = self._since(period)
        models = self.session.exec(
            select(Question.model, func.count(), func.sum(Question.prompt_tokens),
                   func.sum(Question.completion_tokens), func.sum(COST))
            .where(Question.tenant_id == self.tenant_id, Question.created_at >= since)
            .group_by(Question.model).order_by(col(Question.model))).all()
        days = {day: (tokens, cost) for day, tokens, cost in self.session.exec(
            select(DAY, func.sum(TOKENS), func.sum(COST))
            .where(Question.tenant_id == self.tenant_id, Question.created_at >= since).group_by(DAY)).all()}
        by_model = [ModelUsage(model=model, questions=count, prompt_tokens=prompt, completion_tokens=completion,
                               cost_usd=round(cost, 4)) for model, count, prompt, completion, cost in models]
        prompt = sum(entry.prompt_tokens for entry in by_model)
        completion = sum(entry.completion_tokens for entry in by_model)
        return UsageReport(
            tenant_id=self.tenant_id, period=period, total_tokens=prompt + completion, prompt_tokens=prompt,
            completion_tokens=completion, cost_usd=round(sum(row[4] for row in models), 4), by_model=by_model,
            by_day=[self._day_cost(day, days) for day in clock.window(period.days, self.now)],
        )

    @staticmethod
    def _day_cost(day, found: dict) -> DayCost:
        tokens, cost = found.get(day.isoformat(), (0, 0.0))
        return DayCost(date=day, tokens=tokens, cost_usd=round(cost, 4))

    def leaderboard(self, period: Period, limit: int) -> list[LeaderboardEntry]:
        rows = self.session.exec(
            select(User, func.count(Question.id), func.sum(TOKENS), func.max(Question.created_at))
            .join(Question, Question.user_id == User.id)
            .where(User.tenant_id == self.tenant_id, Question.created_at >= self._since(period))
            .group_by(User.id).order_by(func.count(Question.id).desc(), col(User.id)).limit(limit)).all()
        return [
            LeaderboardEntry(rank=rank, user_id=user.id, name=user.name, email=user.email, role=user.role,
                             questions=count, tokens=tokens, last_active=last)
            for rank, (user, count, tokens, last) in enumerate(rows, start=1)
        ]
