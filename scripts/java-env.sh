# Sourced by ./sd and .ci/run: exports JAVA_HOME/PATH for a JDK >= 21 (the default JDK here may be older).
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p'; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ] 2>/dev/null; then
  JAVA_HOME=""
  if command -v java >/dev/null; then
    default_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    [ "$(java_major "$default_home")" -ge 21 ] 2>/dev/null && JAVA_HOME="$default_home"
  fi
  if [ -z "$JAVA_HOME" ]; then
    for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
      if [ -x "$candidate/bin/java" ] && [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then
        JAVA_HOME="$candidate"
        break
      fi
    done
  fi
fi
if [ -z "${JAVA_HOME:-}" ]; then
  echo "sdfleet needs a JDK 21 or newer; none found (set JAVA_HOME)" >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
