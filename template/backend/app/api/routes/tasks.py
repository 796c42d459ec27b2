"""Task routes: thin handlers; identity comes from TaskOwner, ownership from get_owned_task,
the list's filters and order from app/api/task_list.py."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Response, status
from sqlalchemy import func
from sqlmodel import select

from app.api.auth_gate import AuthFirstRoute
from app.api.deps import SessionDep
from app.api.ownership import get_owned_task
from app.api.routes.responses import COLLECTION_ERRORS, ITEM_ERRORS, LIST_HEADERS, UNREADABLE_BODY
from app.api.scope import TASKS_PREFIX, TaskOwner
from app.api.task_list import MAX_DB_INT, TaskList
from app.models import Task, TaskCompletion, TaskCreate, TaskPublic, TaskUpdate, utc_now

TOTAL_COUNT_HEADER = "X-Total-Count"

router = APIRouter(prefix=TASKS_PREFIX, tags=["tasks"], route_class=AuthFirstRoute)

TaskId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


@router.get("", response_model=list[TaskPublic], responses=COLLECTION_ERRORS | LIST_HEADERS)
async def list_tasks(query: TaskList, session: SessionDep, response: Response) -> list[Task]:
    """The caller's own tasks, filtered and ordered (newest first by default); the number of
    tasks that match, all pages together, is in the X-Total-Count header."""
    where = query.where()
    total = (await session.exec(select(func.count()).select_from(Task).where(*where))).one()
    response.headers[TOTAL_COUNT_HEADER] = str(total)
    page = (
        select(Task)
        .where(*where)
        .order_by(*query.order_by())
        .offset(query.offset)
        .limit(query.limit)
    )
    return list((await session.exec(page)).all())


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
@router.patch("/{task_id}", response_model=TaskPublic, responses=ITEM_ERRORS | UNREADABLE_BODY)
async def update_task(
    task_id: TaskId, body: TaskUpdate, owner: TaskOwner, session: SessionDep
) -> Task:
    """Change the fields that were sent (PUT and PATCH alike); the others stay as they are."""
    task = await get_owned_task(session, owner, task_id)
    return await _save(session, task, body.model_dump(exclude_unset=True))


@router.patch(
    "/{task_id}/complete", response_model=TaskPublic, responses=ITEM_ERRORS | UNREADABLE_BODY
)
async def complete_task(
    task_id: TaskId,
    owner: TaskOwner,
    session: SessionDep,
    body: Annotated[TaskCompletion | None, Body()] = None,
) -> Task:
    """Set the completed flag to the body's value; without a body, flip it."""
    task = await get_owned_task(session, owner, task_id)
    completed = body.completed if body is not None else not task.completed
    return await _save(session, task, {"completed": completed})


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ITEM_ERRORS)
async def delete_task(task_id: TaskId, owner: TaskOwner, session: SessionDep) -> Response:
    """Delete one of the caller's tasks."""
    task = await get_owned_task(session, owner, task_id)
    await session.delete(task)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
