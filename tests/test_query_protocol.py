"""The query protocol (STS) in the engine's core: request bytes as botocore sends them, XML
error fields, and the unsigned operation."""

from __future__ import annotations

from bedrock_paginate._credentials._sts import ASSUME_ROLE, ASSUME_ROLE_WITH_WEB_IDENTITY
from bedrock_paginate._decode import query_error_fields
from bedrock_paginate._http import HttpResponse
from bedrock_paginate._serialize import build_request


def test_assume_role_request_is_botocores() -> None:
    """Method, path, content type and body bytes equal what botocore 1.44.18's query
    serializer and request preparation produce for the same arguments (run once to obtain)."""
    request = build_request(
        "https://sts.us-east-1.amazonaws.com",
        ASSUME_ROLE,
        {
            "TokenCode": "123456",
            "RoleArn": "arn:aws:iam::123456789012:role/r 1",
            "ExternalId": "a/b=c",
            "RoleSessionName": "me+you",
            "SerialNumber": "arn:aws:iam::123456789012:mfa/alice",
            "DurationSeconds": 900,
        },
    )
    assert (request.method, request.url) == ("POST", "https://sts.us-east-1.amazonaws.com/")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert request.body == (
        b"Action=AssumeRole&Version=2011-06-15"
        b"&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr+1&RoleSessionName=me%2Byou"
        b"&DurationSeconds=900&ExternalId=a%2Fb%3Dc"
        b"&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456"
    )


def test_web_identity_operation_is_unsigned_query_for_sts() -> None:
    """botocore's model: AssumeRoleWithWebIdentity has auth type none; both sign as 'sts'."""
    assert (ASSUME_ROLE.signed, ASSUME_ROLE_WITH_WEB_IDENTITY.signed) == (True, False)
    assert {ASSUME_ROLE.signing_name, ASSUME_ROLE_WITH_WEB_IDENTITY.protocol} == {"sts", "query"}
    request = build_request(
        "http://127.0.0.1:9",
        ASSUME_ROLE_WITH_WEB_IDENTITY,
        {"RoleArn": "arn:aws:iam::1:role/w", "RoleSessionName": "s1", "WebIdentityToken": "a b"},
    )
    assert request.body == (
        b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
        b"&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fw&RoleSessionName=s1&WebIdentityToken=a+b"
    )


def test_query_error_fields_read_sts_xml_and_fall_back_to_the_status() -> None:
    """<ErrorResponse><Error><Code>/<Message>; anything else gives the HTTP status."""
    xml = (
        b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        b"<Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included "
        b"in the request is expired</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
    )
    fields = query_error_fields(HttpResponse(status_code=400, body=xml))
    assert (fields.code, fields.message) == (
        "ExpiredToken",
        "The security token included in the request is expired",
    )
    html = query_error_fields(HttpResponse(status_code=503, body=b"<html><body>busy"))
    assert (html.code, html.message) == ("503", "Service Unavailable")
    doctype = query_error_fields(
        HttpResponse(status_code=400, body=b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')
    )
    assert doctype.code == "400"
