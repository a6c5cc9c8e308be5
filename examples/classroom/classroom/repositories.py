"""Data access, one class per aggregate. Each school-scoped repository is bound to one tenant id: no query it runs
can reach another school's rows."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from classroom import clock
from classroom.enums import Role, TenantStatus
from classroom.errors import SeatLimitReached, TenantExists, TenantNotFound, TenantState, UserExists, UserNotFound
from classroom.models import Course, Enrollment, Question, Tenant, User
from classroom.pricing import cost_expression
from classroom.schemas import (
    Activity,
    CourseOut,
    Page,
    Seats,
    TeacherRef,
    TenantCounts,
    TenantRegistration,
    TenantStatusOut,
    UserCreate,
    UserDetail,
    UserOut,
    UserPatch,
)
from classroom.security import hash_key, new_school_key

QUESTION_COST = cost_expression(Question.model, Question.prompt_tokens, Question.completion_tokens)


def like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class UserRepository:
    def __init__(self, session: Session, tenant_id: int) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def page(self, *, page: int, size: int, role: Role | None = None, status=None, q: str | None = None) -> Page:
        query = select(User).where(User.tenant_id == self.tenant_id)
        if role is not None:
            query = query.where(User.role == role)
        if status is not None:
            query = query.where(User.status == status)
        if q:
            pattern = like(q)
            query = query.where(or_(func.lower(User.name).like(pattern, escape="\\"),
                                    func.lower(User.email).like(pattern, escape="\\")))
        total = self.session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = self.session.exec(query.order_by(col(User.id)).offset((page - 1) * size).limit(size)).all()
        return Page[UserOut].of([UserOut.model_validate(row) for row in rows], total, page, size)

    def get(self, user_id: int) -> User:
        user = self.session.get(User, user_id)
        if user is None or user.tenant_id != self.tenant_id:
            raise UserNotFound(user_id)
        return user

    def detail(self, user_id: int) -> UserDetail:
        user = self.get(user_id)
        questions, tokens, cost = self.session.exec(
            select(func.count(), func.coalesce(func.sum(Question.prompt_tokens + Question.completion_tokens), 0),
                   func.coalesce(func.sum(QUESTION_COST), 0.0))
            .where(Question.user_id == user_id)).one()
        courses = self.session.exec(select(func.count()).select_from(Enrollment)
                                    .where(Enrollment.user_id == user_id)).one()
        taught = self.session.exec(select(func.count()).select_from(Course).where(Course.teacher_id == user_id)).one()
        activity = Activity(questions=questions, tokens=tokens, cost_usd=round(cost, 4), courses=courses + taught)
        return UserDetail(**UserOut.model_validate(user).model_dump(), activity=activity)

    def create(self, data: UserCreate, seats: int) -> User:
        taken = select(User.id).where(User.tenant_id == self.tenant_id, User.email == data.email)
        if self.session.exec(taken).first() is not None:
            raise UserExists(data.email)
        used = self.session.exec(select(func.count()).select_from(User).where(User.tenant_id == self.tenant_id)).one()
        if used >= seats:
            raise SeatLimitReached(seats)
        user = User(tenant_id=self.tenant_id, created_at=clock.now(), **data.model_dump())
        self.session.add(user)
        self.session.commit()
        self.session.refresh(user)
        return user

    def patch(self, user_id: int, changes: UserPatch) -> User:
        user = self.get(user_id)
        for field, value in changes.model_dump(exclude_unset=True).items():
            if value is None and field != "grade":
                continue  # "name": null and the like change nothing; grade can be cleared
            setattr(user, field, value)
        self.session.add(user)
        self.session.commit()
        self.session.refresh(user)
        return user

    def delete(self, user_id: int) -> None:
        self.session.delete(self.get(user_id))
        self.session.commit()


class CourseRepository:
    def __init__(self, session: Session, tenant_id: int) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def page(self, *, page: int, size: int, q: str | None = None) -> Page:
        query = select(Course).where(Course.tenant_id == self.tenant_id)
        if q:
            query = query.where(or_(func.lower(Course.title).like(like(q), escape="\\"),
                                    func.lower(Course.subject).like(like(q), escape="\\")))
        total = self.session.exec(select(func.count()).select_from(query.subquery())).one()
        courses = self.session.exec(query.order_by(col(Course.id)).offset((page - 1) * size).limit(size)).all()
        return Page[CourseOut].of([self._out(course) for course in courses], total, page, size)

    def _out(self, course: Course) -> CourseOut:
        students = self.session.exec(select(func.count()).select_from(Enrollment)
                                     .where(Enrollment.course_id == course.id)).one()
        questions = self.session.exec(select(func.count()).select_from(Question)
                                      .where(Question.course_id == course.id)).one()
        teacher = self.session.get(User, course.teacher_id) if course.teacher_id else None
        return CourseOut(id=course.id, title=course.title, subject=course.subject,
                         teacher=TeacherRef(id=teacher.id, name=teacher.name) if teacher else None,
                         students=students, questions=questions, created_at=course.created_at)


class TenantRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list(self, status: TenantStatus | None = None) -> list[Tenant]:
        query = select(Tenant).order_by(col(Tenant.id))
        if status is not None:
            query = query.where(Tenant.status == status)
        return list(self.session.exec(query).all())

    def get(self, tenant_id: int) -> Tenant:
        tenant = self.session.get(Tenant, tenant_id)
        if tenant is None:
            raise TenantNotFound(tenant_id)
        return tenant

    def register(self, data: TenantRegistration) -> tuple[Tenant, str]:
        if self.session.exec(select(Tenant.id).where(Tenant.slug == data.slug)).first() is not None:
            raise TenantExists(data.slug)
        key = new_school_key()
        tenant = Tenant(**data.model_dump(), api_key_hash=hash_key(key), created_at=clock.now())
        self.session.add(tenant)
        self.session.commit()
        self.session.refresh(tenant)
        return tenant, key

    def set_status(self, tenant_id: int, status: TenantStatus, reason: str | None = None) -> Tenant:
        tenant = self.get(tenant_id)
        if tenant.status == status:
            raise TenantState(f"Tenant {tenant_id} is already {status.value}")
        tenant.status = status
        tenant.deactivated_at = clock.now() if status == TenantStatus.deactivated else None
        tenant.deactivation_reason = reason
        self.session.add(tenant)
        self.session.commit()
        self.session.refresh(tenant)
        return tenant

    def status(self, tenant_id: int) -> TenantStatusOut:
        tenant = self.get(tenant_id)
        roles = dict(self.session.exec(select(User.role, func.count()).where(User.tenant_id == tenant_id)
                                       .group_by(User.role)).all())
        courses = self.session.exec(select(func.count()).select_from(Course).where(Course.tenant_id == tenant_id)).one()
        since = clock.start_of(clock.window(30)[0])
        recent, last = self.session.exec(
            select(func.count(Question.id).filter(Question.created_at >= since), func.max(Question.created_at))
            .where(Question.tenant_id == tenant_id)).one()
        users = sum(roles.values())
        counts = TenantCounts(users=users, students=roles.get(Role.student, 0), teachers=roles.get(Role.teacher, 0),
                              admins=roles.get(Role.admin, 0), courses=courses, questions_30d=recent)
        return TenantStatusOut(
            id=tenant.id, name=tenant.name, slug=tenant.slug, status=tenant.status, plan=tenant.plan,
            seats=Seats(used=users, total=tenant.seats), counts=counts, last_activity_at=last,
            created_at=tenant.created_at, deactivated_at=tenant.deactivated_at,
            deactivation_reason=tenant.deactivation_reason,
        )
