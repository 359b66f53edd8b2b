#!/usr/bin/env python3
"""A small S3 client on boto3 (Debian's python3-boto3) for the S3 tests and benchmark.

    s3tool.py mkbucket BUCKET...                 create buckets (s3://b or b); existing ones are kept
    s3tool.py put-dir LOCALDIR s3://b/prefix/    upload every file under LOCALDIR (recursively)
    s3tool.py put LOCALFILE s3://b/key           upload one file
    s3tool.py get s3://b/key LOCALFILE           download one object
    s3tool.py cmp s3://b/key LOCALFILE           byte-for-byte comparison; exit 1 on a difference
    s3tool.py list s3://b/prefix/                "SIZE KEY" per object under the prefix (ListObjectsV2)
    s3tool.py multipart-check s3://b/key [--proxy-log F] [--min-parts N]
                                                 prove that the object was written by a multipart
                                                 upload of at least N parts (default 2)
    s3tool.py time-get s3://b/key                one plain GET of the whole object; prints
                                                 "BYTES SECONDS MB/s"

Endpoint and credentials come from the environment, as for quokka: AWS_ENDPOINT_URL (path-style
addressing), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (default us-east-1).
Exit status: 0 on success, 1 when a check fails or S3 answers with an error, 2 on bad usage.
"""

import argparse
import os
import re
import sys
import time

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError as error:  # the test scripts check this first and skip
    sys.exit(f"s3tool: boto3 is not installed ({error}); apt-get install python3-boto3")

CHUNK = 1 << 20


def parse_url(url, need_key):
    match = re.fullmatch(r"s3://([^/]+)(?:/(.*))?", url)
    if not match:
        sys.exit(f"s3tool: '{url}' is not an s3://bucket/key URL")
    bucket, key = match.group(1), match.group(2) or ""
    if need_key and (not key or key.endswith("/")):
        sys.exit(f"s3tool: '{url}' names no object (s3://bucket/key)")
    return bucket, key


def client():
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        sys.exit("s3tool: set AWS_ENDPOINT_URL (e.g. http://127.0.0.1:4568)")
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "S3RVER"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "S3RVER"),
        config=Config(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    )


def mkbucket(s3, args):
    for name in args.buckets:
        bucket = name[5:].strip("/") if name.startswith("s3://") else name
        try:
            s3.create_bucket(Bucket=bucket)
            print(f"created bucket {bucket}")
        except ClientError as error:
            if error.response["Error"]["Code"] in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                print(f"bucket {bucket} exists")
            else:
                raise


def put_dir(s3, args):
    bucket, prefix = parse_url(args.url, need_key=False)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    if not os.path.isdir(args.local):
        sys.exit(f"s3tool: '{args.local}' is not a directory")
    count = total = 0
    for directory, _, files in sorted(os.walk(args.local)):
        for name in sorted(files):
            path = os.path.join(directory, name)
            key = prefix + os.path.relpath(path, args.local).replace(os.sep, "/")
            s3.upload_file(path, bucket, key)
            count += 1
            total += os.path.getsize(path)
    print(f"uploaded {count} files, {total} bytes to s3://{bucket}/{prefix}")


def put(s3, args):
    bucket, key = parse_url(args.url, need_key=True)
    s3.upload_file(args.local, bucket, key)
    print(f"uploaded {args.local} ({os.path.getsize(args.local)} bytes) to s3://{bucket}/{key}")


def get(s3, args):
    bucket, key = parse_url(args.url, need_key=True)
    s3.download_file(bucket, key, args.local)
    print(f"downloaded s3://{bucket}/{key} ({os.path.getsize(args.local)} bytes) to {args.local}")


def cmp(s3, args):
    bucket, key = parse_url(args.url, need_key=True)
    url = f"s3://{bucket}/{key}"
    local_size = os.path.getsize(args.local)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    offset = 0
    with open(args.local, "rb") as local:
        while True:
            remote_chunk = body.read(CHUNK)
            local_chunk = local.read(len(remote_chunk) if remote_chunk else CHUNK)
            if remote_chunk != local_chunk:
                for index, (a, b) in enumerate(zip(remote_chunk, local_chunk)):
                    if a != b:
                        offset += index
                        break
                else:
                    offset += min(len(remote_chunk), len(local_chunk))
                print(f"s3tool cmp: {url} and {args.local} differ at byte {offset} "
                      f"(local file {local_size} bytes)", file=sys.stderr)
                return 1
            if not remote_chunk:
                break
            offset += len(remote_chunk)
    print(f"{url} = {args.local} ({offset} bytes)")
    return 0


def list_objects(s3, args):
    bucket, prefix = parse_url(args.url, need_key=False)
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            print(f"{entry['Size']} {entry['Key']}")


def multipart_check(s3, args):
    """Real S3 gives a multipart object the ETag "<md5 of part md5s>-N". s3rver stores the
    assembled object with the plain MD5 as ETag and forgets the parts, so there the proof comes
    from the log of a fault_proxy.py (mode pass) the upload went through: its UploadPart and
    CompleteMultipartUpload requests for this key."""
    bucket, key = parse_url(args.url, need_key=True)
    url = f"s3://{bucket}/{key}"
    head = s3.head_object(Bucket=bucket, Key=key)
    etag = head["ETag"].strip('"')
    size = head["ContentLength"]
    match = re.fullmatch(r"[0-9a-fA-F]{32}-(\d+)", etag)
    if match:
        parts, source = int(match.group(1)), f'ETag "{etag}"'
    elif args.proxy_log:
        path = f"/{bucket}/{key}"
        upload_parts, completed = set(), 0
        with open(args.proxy_log) as log:
            for line in log:
                fields = line.rstrip("\n").split("\t")
                if len(fields) < 4 or fields[1] != path:
                    continue
                method, query, status = fields[0], fields[2], fields[3]
                number = re.search(r"(?:^|&)partNumber=(\d+)", query)
                if method == "PUT" and number and "uploadId=" in query and status == "200":
                    upload_parts.add(int(number.group(1)))
                if method == "POST" and re.search(r"(?:^|&)uploadId=", query) and status == "200":
                    completed += 1
        if completed == 0:
            print(f"s3tool multipart-check: {url}: no completed multipart upload in "
                  f"{args.proxy_log} (ETag \"{etag}\" is not of the form md5-N)", file=sys.stderr)
            return 1
        parts = len(upload_parts)
        source = f"{parts} UploadPart requests and CompleteMultipartUpload in {args.proxy_log}"
    else:
        print(f"s3tool multipart-check: {url}: ETag \"{etag}\" is not of the multipart form md5-N "
              "(s3rver never gives that form: pass --proxy-log)", file=sys.stderr)
        return 1
    if parts < args.min_parts:
        print(f"s3tool multipart-check: {url}: {parts} parts ({source}), expected at least "
              f"{args.min_parts}", file=sys.stderr)
        return 1
    print(f"{url}: multipart, {parts} parts, {size} bytes ({source})")
    return 0


def time_get(s3, args):
    bucket, key = parse_url(args.url, need_key=True)
    start = time.perf_counter()
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    total = 0
    while True:
        chunk = body.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
    seconds = time.perf_counter() - start
    print(f"{total} {seconds:.3f} {total / 1e6 / seconds:.1f}")


def main():
    parser = argparse.ArgumentParser(prog="s3tool.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    sub = commands.add_parser("mkbucket")
    sub.add_argument("buckets", nargs="+")
    sub.set_defaults(run=mkbucket)
    sub = commands.add_parser("put-dir")
    sub.add_argument("local")
    sub.add_argument("url")
    sub.set_defaults(run=put_dir)
    sub = commands.add_parser("put")
    sub.add_argument("local")
    sub.add_argument("url")
    sub.set_defaults(run=put)
    sub = commands.add_parser("get")
    sub.add_argument("url")
    sub.add_argument("local")
    sub.set_defaults(run=get)
    sub = commands.add_parser("cmp")
    sub.add_argument("url")
    sub.add_argument("local")
    sub.set_defaults(run=cmp)
    sub = commands.add_parser("list")
    sub.add_argument("url")
    sub.set_defaults(run=list_objects)
    sub = commands.add_parser("multipart-check")
    sub.add_argument("url")
    sub.add_argument("--proxy-log", help="request log of fault_proxy.py the upload went through")
    sub.add_argument("--min-parts", type=int, default=2)
    sub.set_defaults(run=multipart_check)
    sub = commands.add_parser("time-get")
    sub.add_argument("url")
    sub.set_defaults(run=time_get)
    args = parser.parse_args()
    try:
        return args.run(client(), args) or 0
    except ClientError as error:
        info = error.response.get("Error", {})
        print(f"s3tool {args.command}: {info.get('Code')}: {info.get('Message')} "
              f"({error.operation_name})", file=sys.stderr)
        return 1
    except (BotoCoreError, OSError) as error:
        print(f"s3tool {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
