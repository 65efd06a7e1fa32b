# Sourced by the launchers: sets LAYOTTO_JAVA_HOME to a JDK >= 25 or exits with a clear message.
# Order: $JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/* and /opt/java/* (newest first).
_layotto_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
_layotto_pick_jdk() {
  local candidates=() d major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for d in $(ls -d /usr/lib/jvm/* /opt/java/* 2>/dev/null | sort -rV); do candidates+=("$d"); done
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/java" ] || continue
    major=$(_layotto_java_major "$d")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then LAYOTTO_JAVA_HOME="$d"; return 0; fi
  done
  echo "layotto: no JDK >= 25 found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm/*, /opt/java/*)." >&2
  echo "layotto: install a JDK 25 (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  exit 1
}
_layotto_pick_jdk
