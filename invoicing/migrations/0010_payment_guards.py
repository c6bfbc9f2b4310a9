"""A recorded payment is history, kept by the database too: its amount, date, reference and who
recorded it never change, it is never deleted, and once undone its undo stays as recorded.
Undoing (filling the undo fields once) and a deleted user (its id set to NULL) still go through."""

from django.db import migrations

from core.db_triggers import Refusal, RefuseInDatabase, changed

PAYMENT = "invoicing_payment"
RECORDED_COLUMNS = ("id", "invoice_id", "paid_on", "amount_ct", "reference", "recorded_at", "recorded_by_name")
UNDO_COLUMNS = ("undone_at", "undone_by_name", "undo_reason")


def _user_changed(column: str) -> str:
    """The user column changed other than to NULL (what deleting that user does)."""
    return f"(NEW.{column} IS NOT NULL AND {changed(column)})"


REFUSALS = (
    Refusal(
        name="leg_payment_recorded",
        table=PAYMENT,
        event="UPDATE",
        condition=f"{changed(*RECORDED_COLUMNS)} OR {_user_changed('recorded_by_id')}",
        message="A recorded payment never changes; undo it with a reason and record it again.",
    ),
    Refusal(
        name="leg_payment_undone",
        table=PAYMENT,
        event="UPDATE",
        condition=f"OLD.undone_at IS NOT NULL AND ({changed(*UNDO_COLUMNS)} OR {_user_changed('undone_by_id')})",
        message="An undone payment stays undone as recorded.",
    ),
    Refusal(
        name="leg_payment_delete",
        table=PAYMENT,
        event="DELETE",
        condition="1 = 1",
        message="A recorded payment is never deleted; undo it with a reason.",
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0009_force_permission"),
    ]

    operations = [RefuseInDatabase(*REFUSALS)]
