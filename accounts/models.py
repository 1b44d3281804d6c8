import functools

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models.functions import Concat, Length, Lower, Upper
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from core.db import LoadedFast, PostgreSQLGinIndex

NOTE_MAX_LENGTH = 300
HEADLINE_MAX_LENGTH = 220
ABOUT_MAX_LENGTH = 2600


class MemberManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Members sign in with their email in whatever case they typed it.
        # Emails are stored lowercased (a check constraint), so this uses the unique index.
        return self.get(email=self.normalize_email(username).strip().lower())

    def _create(self, email, password, **fields):
        from accounts.slugs import unique_slug

        email = self.normalize_email(email).lower()
        if not fields.get("slug"):
            fields["slug"] = unique_slug(fields.get("first_name", ""), fields.get("last_name", ""))
        member = self.model(email=email, **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class Member(LoadedFast, AbstractBaseUser, PermissionsMixin):
    """A LinkedIn member: the account that signs in and the public profile in one row."""

    email = models.EmailField("email address", unique=True)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    headline = models.CharField(max_length=HEADLINE_MAX_LENGTH, blank=True)
    # What search matches each word in (accounts.selectors._matching), kept by the database:
    # the name and the headline upper-cased once when written, rather than three UPPER()s for
    # every member a search reads.
    search_text = models.GeneratedField(
        expression=Upper(
            Concat("first_name", models.Value(" "), "last_name", models.Value(" "), "headline")
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    location = models.CharField(max_length=100, blank=True)
    about = models.TextField(max_length=ABOUT_MAX_LENGTH, blank=True)
    slug = models.SlugField(max_length=100, unique=True)
    accept_inmail = models.BooleanField(
        "accept InMail",
        default=True,
        help_text="Members who are not connected with you may send you InMail.",
    )
    # LinkedIn's rule: a member sees when the other read their messages only while both
    # have this on (inmail.selectors.read_receipt).
    read_receipts = models.BooleanField(
        "read receipts",
        default=True,
        help_text=(
            "Let members see when you've read their messages. "
            "While it's off, you don't see when they've read yours either."
        ),
    )
    # Set through premium's services: only a Premium member may turn it on, and it counts
    # only while they are Premium.
    open_profile = models.BooleanField(
        "Open Profile",
        default=False,
        help_text="Any member may message you for free, without an InMail credit.",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = MemberManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            # With `unique=True` on the column this makes emails unique in any case.
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="member_email_lowercase"
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="member_name_idx"),
            # The few deactivated accounts: "is this connection still active?" becomes a NOT IN
            # against this (almost empty) index, hashed once per query, instead of a join of
            # every connection to its member (a scan of the member table at 10,000 members).
            models.Index(
                fields=["id"], condition=models.Q(is_active=False), name="member_inactive_idx"
            ),
            # `icontains` on PostgreSQL, UPPER(column) LIKE '%word%', and search's LIKE on its
            # column: trigram indexes (pg_trgm), on PostgreSQL only; SQLite scans.
            *(
                PostgreSQLGinIndex(
                    OpClass(Upper(column), name="gin_trgm_ops"), name=f"member_{column}_trgm"
                )
                for column in ("first_name", "last_name", "headline")
            ),
            PostgreSQLGinIndex(
                OpClass("search_text", name="gin_trgm_ops"), name="member_search_text_trgm"
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.first_name

    def get_absolute_url(self):
        return reverse("accounts:profile", kwargs={"slug": self.slug})

    def _get_session_auth_hash(self, secret=None):
        # Django's HMAC of the password hash, which every signed-in request checks its
        # session's against (3% of the poll): worked out once per process for each password
        # hash and secret key, as it depends on nothing else.
        return _session_auth_hash(self.password, secret or settings.SECRET_KEY)

    @property
    def initials(self):
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper() or "?"

    @property
    def avatar_hue(self):
        # A stable colour per member for the initials avatar: one of the 24 hues app.css has a
        # class for (a style attribute would need 'unsafe-inline' in the CSP).
        return (self.pk or 0) * 7 % 24 * 15


class Connection(LoadedFast, models.Model):
    """One direction of a mutual connection.

    Every connection is stored twice, (a, b) and (b, a), so that "the connections of X"
    is always `member = X` and the unique index on (member, other) serves both directions,
    including the mutual-connection join used for degrees.
    """

    # The composite indexes below lead with each of these columns: no single-column index.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="connections", db_index=False
    )
    other = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "other"], name="connection_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(member=models.F("other")), name="connection_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["other", "member"], name="connection_other_idx"),
            # A member's newest connections (My Network, home) read from the head of the index,
            # not all of them sorted: bounded however many they have.
            models.Index(fields=["member", "-created_at", "-other"], name="connection_newest_idx"),
        ]

    def __str__(self):
        return f"{self.member_id} ↔ {self.other_id}"


class Invitation(LoadedFast, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        # Like LinkedIn, an ignored invitation still looks pending to its sender.
        IGNORED = "ignored", "Ignored"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATUSES = (Status.PENDING, Status.IGNORED)

    sender = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="sent_invitations", db_index=False
    )
    recipient = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="received_invitations", db_index=False
    )
    note = models.CharField(max_length=NOTE_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "recipient"],
                condition=models.Q(status__in=["pending", "ignored"]),
                name="invitation_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(sender=models.F("recipient")), name="invitation_not_self"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "accepted", "ignored", "withdrawn"]),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), NOTE_MAX_LENGTH),
                name="invitation_note_length",
            ),
        ]
        indexes = [
            # Newest first within a member's pending invitations: My Network's first few are
            # read from the index's head, not by sorting them all (500: 1.4 -> 0.9 ms).
            models.Index(
                fields=["recipient", "status", "-created_at", "-sender"],
                name="invitation_recipient_idx",
            ),
            models.Index(fields=["sender", "status"], name="invitation_sender_idx"),
        ]

    def __str__(self):
        return f"{self.sender} → {self.recipient} ({self.status})"

    def other_side(self, member):
        return self.recipient if member.pk == self.sender_id else self.sender


class Block(LoadedFast, models.Model):
    blocker = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="blocks", db_index=False
    )
    blocked = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"], name="block_blocked_idx")]

    def __str__(self):
        return f"{self.blocker} blocks {self.blocked}"


@functools.lru_cache(maxsize=10_000)
def _session_auth_hash(password: str, secret: str) -> str:
    return AbstractBaseUser._get_session_auth_hash(Member(password=password), secret=secret)
