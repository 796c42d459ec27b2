"""Task routes: thin handlers; identity comes from TaskOwner, ownership from get_owned_task."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlmodel import select

from app.api.auth_gate import AuthFirstRoute
from app.api.deps import SessionDep
from app.api.ownership import get_owned_task
from app.api.routes.responses import COLLECTION_ERRORS, ITEM_ERRORS, UNREADABLE_BODY
from app.api.scope import TASKS_PREFIX, TaskOwner
from app.models import Task, TaskCreate, TaskPatch, TaskPublic, TaskUpdate, utc_now

# Larger numbers cannot be a stored id and would overflow the database driver (500).
MAX_DB_INT = 2**63 - 1

router = APIRouter(prefix=TASKS_PREFIX, tags=["tasks"], route_class=AuthFirstRoute)

TaskId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


@router.get("", response_model=list[TaskPublic], responses=COLLECTION_ERRORS)
async def list_tasks(
    owner: TaskOwner,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
) -> list[Task]:
    """The caller's own tasks, oldest first."""
    query = select(Task).where(Task.user_id == owner).order_by(Task.id).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


@router.post(
    "",
    response_model=TaskPublic,
    status_code=status.HTTP_201_CREATED,
    responses=COLLECTION_ERRORS | UNREADABLE_BODY,
)
async def create_task(body: TaskCreate, owner: TaskOwner, session: SessionDep) -> Task:
    """Create a task owned by the caller (the body cannot name an owner)."""
    task = Task(user_id=owner, **body.model_dump())
    session.add(task)
    await session.commit()
    return task


@router.get("/{task_id}", response_model=TaskPublic, responses=ITEM_ERRORS)
async def read_task(task_id: TaskId, owner: TaskOwner, session: SessionDep) -> Task:
    """One of the caller's tasks."""
    return await get_owned_task(session, owner, task_id)


async def _save(session: SessionDep, task: Task, changes: dict[str, object]) -> Task:
    """Apply `changes`, bump updated_at when something was sent, and commit."""
    if changes:
        for name, value in changes.items():
            setattr(task, name, value)
        task.updated_at = utc_now()
        session.add(task)
        await session.commit()
    return task


@router.put("/{task_id}", response_model=TaskPublic, responses=ITEM_ERRORS | UNREADABLE_BODY)
async def replace_task(
    task_id: TaskId, body: TaskUpdate, owner: TaskOwner, session: SessionDep
) -> Task:
    """Replace title, description and completed."""
    task = await get_owned_task(session, owner, task_id)
    return await _save(session, task, body.model_dump())


@router.patch("/{task_id}", response_model=TaskPublic, responses=ITEM_ERRORS | UNREADABLE_BODY)
async def update_task(
    task_id: TaskId, body: TaskPatch, owner: TaskOwner, session: SessionDep
) -> Task:
    """Change only the fields that were sent."""
    task = await get_owned_task(session, owner, task_id)
    return await _save(session, task, body.model_dump(exclude_unset=True))


@router.patch("/{task_id}/complete", response_model=TaskPublic, responses=ITEM_ERRORS)
async def toggle_complete(task_id: TaskId, owner: TaskOwner, session: SessionDep) -> Task:
    """Flip the completed flag."""
    task = await get_owned_task(session, owner, task_id)
    return await _save(session, task, {"completed": not task.completed})


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ITEM_ERRORS)
async def delete_task(task_id: TaskId, owner: TaskOwner, session: SessionDep) -> Response:
    """Delete one of the caller's tasks."""
    task = await get_owned_task(session, owner, task_id)
    await session.delete(task)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
