#!/bin/bash
set -eu
[ "${1:-}" = server ] || exec "$@"
shift
data=/data
while [ $# -gt 0 ]; do
  case "$1" in
    --console-address|--address) shift 2 || true ;;
    --*) shift ;;
    *) data="$1"; shift ;;
  esac
done
mkdir -p "$data"
cat > /tmp/s3proxy.properties <<CONF
s3proxy.endpoint=http://127.0.0.1:9002
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${MINIO_ROOT_USER:-minioadmin}
s3proxy.credential=${MINIO_ROOT_PASSWORD:-minioadmin}
jclouds.provider=filesystem
jclouds.filesystem.basedir=$data
CONF
java -Xmx256m -jar /opt/s3proxy/s3proxy.jar --properties /tmp/s3proxy.properties &
s3proxy=$!
nginx -g 'daemon off;' &
nginx=$!
trap 'kill $s3proxy $nginx 2>/dev/null' TERM INT
# Whichever stops first ends the container.
wait -n 2>/dev/null || wait $s3proxy
kill $s3proxy $nginx 2>/dev/null || true
