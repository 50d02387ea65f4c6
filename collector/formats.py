"""Format rules for every identifier a user gives us, in one place.

Pure functions, no AWS calls and no CDK: the collector checks its command line with them, and the constructs
check their props with them at synth (after skipping unresolved Tokens). Each failure names the setting, the
value it got and what is expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
_PARTITION = r"(?P<partition>aws|aws-cn|aws-us-gov)"

# sts:ExternalId; the CDK ExternalId parameter's AllowedPattern/MinLength/MaxLength are built from these.
EXTERNAL_ID_CHARS = r"[\w+=,.@:/-]"
EXTERNAL_ID_MIN_LENGTH, EXTERNAL_ID_MAX_LENGTH = 2, 1224
EXTERNAL_ID_RE = re.compile(
    rf"^{EXTERNAL_ID_CHARS}{{{EXTERNAL_ID_MIN_LENGTH},{EXTERNAL_ID_MAX_LENGTH}}}$", re.ASCII
)
ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
ROOT_ID_RE = re.compile(r"^r-[0-9a-z]{4,32}$")
OU_ID_RE = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
# CloudFormation stack and StackSet names share this alphabet and length.
STACK_SET_NAME_RE = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")
ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
USER_NAME_RE = ROLE_NAME_RE
# An IAM path: at most 512 characters, '/' first and last, printable ASCII between. IAM allows '*' and '?'
# there, but in an ARN of a trust or a policy they are wildcards: a path that widens what it names is refused.
_PATH_CHARS = r"[\x21-\x29\x2b-\x3e\x40-\x7e]"  # printable ASCII but '*' and '?'
_PATH = rf"(?:{_PATH_CHARS}{{1,510}}/)?"  # between "role/" and the name: the path without its first '/'
_NAME = r"[\w+=,.@-]{1,64}"  # role and user names (IAM's limit: 64)
IAM_PATH_RE = re.compile(rf"^/{_PATH}$")
# role/NAME or role/some/path/NAME
PRINCIPAL_ARN_RE = re.compile(
    rf"^arn:{_PARTITION}:iam::(?P<account>\d{{12}}):(?P<kind>role|user)/{_PATH}{_NAME}$", re.ASCII
)
ROLE_ARN_RE = re.compile(
    rf"^arn:{_PARTITION}:iam::(?P<account>\d{{12}}):role/(?P<rest>{_PATH}{_NAME})$", re.ASCII
)
# IAM tags: letters, digits, spaces and _.:/=+-@ (Unicode letters allowed); keys may not start with "aws:".
TAG_KEY_RE = re.compile(r"^(?!aws:)[\w\s.:/=+@-]{1,128}$", re.IGNORECASE)
TAG_VALUE_RE = re.compile(r"^[\w\s.:/=+@-]{0,256}$")
# A Glue database or table name (Athena reads lower case, digits and underscores).
GLUE_NAME_RE = re.compile(r"^[a-z0-9_]{1,255}$")
# An SSM parameter path such as /readonly-collector/customers/ (a parameter name's allowed characters; SSM
# reserves names that begin with "aws" or "ssm", in any case).
SSM_PATH_RE = re.compile(r"^/(?!(aws|ssm))([A-Za-z0-9_.-]{1,128}/){1,14}$", re.IGNORECASE)
SSM_PARAMETER_NAME_RE = re.compile(
    r"^(?=.{2,1011}$)/(?!(aws|ssm))[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", re.IGNORECASE
)
POLICY_ARN_RE = re.compile(  # policy names: at most 128 characters
    rf"^arn:{_PARTITION}:iam::(?P<account>\d{{12}}|aws):policy/(?P<rest>{_PATH}[\w+=,.@-]{{1,128}})$",
    re.ASCII,
)


# Role and user ARNs as patterns that Python and CloudFormation's AllowedPattern (Java regex) read alike:
# the legacy templates take the user's ARN and the secret readers' ARNs as parameters constrained by them.
_ARN_PREFIX_PATTERN = r"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:"
_PATH_PATTERN = r"([\x21-\x29\x2b-\x3e\x40-\x7e]{1,510}/)?"  # _PATH: no '*' or '?'
USER_ARN_PATTERN = rf"{_ARN_PREFIX_PATTERN}user/{_PATH_PATTERN}[\w+=,.@-]{{1,64}}$"
ROLE_OR_USER_ARN_PATTERN = rf"{_ARN_PREFIX_PATTERN}(role|user)/{_PATH_PATTERN}[\w+=,.@-]{{1,64}}$"
USER_ARN_RE = re.compile(USER_ARN_PATTERN, re.ASCII)
ROLE_OR_USER_ARN_RE = re.compile(ROLE_OR_USER_ARN_PATTERN, re.ASCII)
ORGANIZATION_ID_RE = re.compile(r"^o-[a-z0-9]{10,32}$")
KMS_KEY_ARN_RE = re.compile(rf"^arn:{_PARTITION}:kms:[a-z0-9-]+:\d{{12}}:key/[a-zA-Z0-9-]{{1,128}}$")
# An S3 bucket name (general purpose buckets): 3 to 63 lower-case letters, digits, dots and hyphens, starting
# and ending with a letter or digit, no "..", not shaped like an IP address, none of S3's reserved prefixes
# and suffixes.
S3_BUCKET_RE = re.compile(
    r"^(?!xn--|sthree-|amzn-s3-demo-)(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)(?!.*(-s3alias|--ol-s3|--x-s3)$)"
    r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
)
# A CloudTrail S3 key prefix as a read grant can name it exactly: S3's safe characters without the policy
# wildcards * and ?, segments separated by single slashes, no slash at either end; CloudTrail allows 200.
S3_KEY_PREFIX_RE = re.compile(r"^(?!.*//)[A-Za-z0-9!_.'()-][A-Za-z0-9!_.'()/-]{0,198}(?<!/)$")


class InvalidSettingError(ValueError):
    """A user-supplied value has the wrong format; the message names the setting, the value, what to give."""

    def __init__(self, setting: str, value: object, expected: str) -> None:
        self.setting = setting
        self.value = value
        self.expected = expected
        super().__init__(f"{setting}: got {value!r}; expected {expected}")


def _check(pattern: re.Pattern[str], value: object, setting: str, expected: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InvalidSettingError(setting, value, expected)
    return value


def external_id(value: object, setting: str = "externalId") -> str:
    return _check(
        EXTERNAL_ID_RE,
        value,
        setting,
        "2 to 1224 characters of letters, digits and _+=,.@:/- (sts:ExternalId)",
    )


def account_id(value: object, setting: str = "accountId") -> str:
    return _check(ACCOUNT_ID_RE, value, setting, "a 12-digit AWS account ID such as 111122223333")


def region(value: object, setting: str = "region") -> str:
    return _check(REGION_RE, value, setting, "an AWS region code such as us-east-1 or eu-central-1")


def root_id(value: object, setting: str = "rootId") -> str:
    return _check(ROOT_ID_RE, value, setting, "an organization root ID such as r-ab12")


def ou_id(value: object, setting: str = "organizationalUnitId") -> str:
    return _check(OU_ID_RE, value, setting, "an OU ID such as ou-ab12-cdef3456")


def root_or_ou_id(value: object, setting: str = "organizationalUnitIds") -> str:
    if isinstance(value, str) and (ROOT_ID_RE.fullmatch(value) or OU_ID_RE.fullmatch(value)):
        return value
    raise InvalidSettingError(setting, value, "a root ID (r-ab12) or an OU ID (ou-ab12-cdef3456)")


def stack_set_name(value: object, setting: str = "stackSetName") -> str:
    return _check(
        STACK_SET_NAME_RE,
        value,
        setting,
        "1 to 128 letters, digits and hyphens, starting with a letter (a CloudFormation StackSet name)",
    )


def role_name(value: object, setting: str = "roleName") -> str:
    return _check(ROLE_NAME_RE, value, setting, "1 to 64 characters of letters, digits and _+=,.@-")


def iam_path(value: object, setting: str = "path") -> str:
    return _check(
        IAM_PATH_RE,
        value,
        setting,
        "an IAM path of at most 512 characters that starts and ends with '/', without the wildcards * "
        "and ?, such as /vendor/",
    )


def role_arn(value: object, setting: str = "roleArn") -> str:
    return _check(
        ROLE_ARN_RE,
        value,
        setting,
        "an IAM role ARN (a name of at most 64 characters, no wildcard) such as "
        "arn:aws:iam::111122223333:role/Name",
    )


def policy_arn(value: object, setting: str = "policyArn") -> str:
    return _check(
        POLICY_ARN_RE, value, setting, "an IAM policy ARN such as arn:aws:iam::111122223333:policy/Name"
    )


def user_name(value: object, setting: str = "userName") -> str:
    return _check(USER_NAME_RE, value, setting, "1 to 64 characters of letters, digits and _+=,.@-")


def user_arn(value: object, setting: str = "userArn") -> str:
    return _check(USER_ARN_RE, value, setting, "an IAM user ARN such as arn:aws:iam::111122223333:user/Name")


def principal_arn(value: object, setting: str = "principalArn") -> str:
    """The ARN of one IAM role or user (no account ID, no wildcard)."""
    expected = "an IAM role or user ARN such as arn:aws:iam::111122223333:role/Admin"
    return _check(ROLE_OR_USER_ARN_RE, value, setting, expected)


def organization_id(value: object, setting: str = "organizationId") -> str:
    return _check(ORGANIZATION_ID_RE, value, setting, "an organization ID such as o-a1b2c3d4e5")


def kms_key_arn(value: object, setting: str = "kmsKeyArn") -> str:
    return _check(
        KMS_KEY_ARN_RE,
        value,
        setting,
        "a KMS key ARN such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )


def s3_bucket_name(value: object, setting: str = "bucketName") -> str:
    return _check(
        S3_BUCKET_RE,
        value,
        setting,
        "an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with "
        "a letter or digit, such as aws-controltower-logs-111122223333-us-east-1",
    )


def s3_key_prefix(value: object, setting: str = "prefix") -> str:
    return _check(
        S3_KEY_PREFIX_RE,
        value,
        setting,
        "the trail's S3 key prefix without slashes at either end, such as o-a1b2c3d4e5 or logs/cloudtrail: "
        "1 to 200 letters, digits and !_.'()-/ (no * or ?)",
    )


def tag_key(value: object, setting: str = "tag key") -> str:
    return _check(
        TAG_KEY_RE, value, setting, "1 to 128 letters, digits, spaces or _.:/=+-@, not starting with 'aws:'"
    )


def tag_value(value: object, setting: str = "tag value") -> str:
    return _check(TAG_VALUE_RE, value, setting, "0 to 256 letters, digits, spaces or _.:/=+-@")


@dataclass(frozen=True)
class Principal:
    """Who may assume the integration role: one role, one user, or (less precise) a whole account."""

    kind: str  # "role" | "user" | "account"
    account_id: str
    arn: str | None  # the role or user ARN; None for an account


def trusted_principal(value: object, setting: str = "trustedPrincipal") -> Principal:
    """A role ARN, a user ARN or a 12-digit account ID."""
    if isinstance(value, str):
        if ACCOUNT_ID_RE.fullmatch(value):
            return Principal("account", value, None)
        match = PRINCIPAL_ARN_RE.fullmatch(value)
        if match:
            return Principal(match["kind"], match["account"], value)
    raise InvalidSettingError(
        setting,
        value,
        "an IAM role ARN (recommended, e.g. arn:aws:iam::111122223333:role/Vendor), a user ARN, "
        "or a 12-digit account ID (names of at most 64 characters, no wildcard * or ? in the path)",
    )


def regions(values: list[str], setting: str = "regions") -> tuple[str, ...]:
    if not values:
        raise InvalidSettingError(setting, values, "at least one region")
    return tuple(region(v, setting) for v in values)


def days(value: object, setting: str, maximum: int) -> int:
    """A whole number of days from 1 to ``maximum``, given as a number or as its text."""
    found: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        found = value
    elif isinstance(value, str) and value.strip().isdigit():
        found = int(value.strip())
    if found is None or not 1 <= found <= maximum:
        raise InvalidSettingError(setting, value, f"a whole number of days from 1 to {maximum}")
    return found


def ssm_path(value: object, setting: str = "ssmPath") -> str:
    return _check(
        SSM_PATH_RE,
        value,
        setting,
        "an SSM parameter path of letters, digits and _.- segments that starts and ends with '/', not "
        "beginning with 'aws' or 'ssm' (reserved), such as /readonly-collector/customers/",
    )


def ssm_parameter_name(value: object, setting: str = "parameter") -> str:
    return _check(
        SSM_PARAMETER_NAME_RE,
        value,
        setting,
        "an SSM parameter name: '/' then segments of letters, digits and _.- separated by '/', at most 1011 "
        "characters, not beginning with 'aws' or 'ssm' (reserved)",
    )


def glue_name(value: object, setting: str = "databaseName") -> str:
    return _check(GLUE_NAME_RE, value, setting, "1 to 255 lower-case letters, digits and underscores")
