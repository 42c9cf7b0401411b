#!/bin/sh
# Installs this Xuncha release from the unpacked tarball. Needs no network.
#
#   sudo ./install.sh [--prefix /opt/xuncha] [--no-start]
#
# Puts the program in PREFIX (default /opt/xuncha; an older release there is replaced), `xuncha` in
# /usr/local/bin, the settings in /etc/xuncha/xuncha.env (kept when it exists), the unit in
# /etc/systemd/system/xuncha.service, creates the `xuncha` system user and /var/lib/xuncha, and starts
# the service (unless --no-start). With DESTDIR=/some/root it only stages the files under that root:
# no user, no systemctl (for packaging and tests).
set -eu

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
here=$(cd "$(dirname "$0")" && pwd)
prefix=/opt/xuncha
start=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --no-start) start=no; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
done
case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be an absolute path" >&2; exit 2 ;; esac
root=${DESTDIR:-}
if [ -z "$root" ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (sudo ./install.sh), or set DESTDIR to stage the files elsewhere" >&2
  exit 1
fi

# The program: staged beside the old one, then swapped in.
mkdir -p "$root$(dirname "$prefix")"
rm -rf "$root$prefix.new"
mkdir -p "$root$prefix.new"
cp -R "$here/bin" "$here/app" "$here/node" "$here/package.json" "$root$prefix.new/"
cp "$here/xuncha.env" "$root$prefix.new/xuncha.env.example"
if [ -e "$root$prefix" ]; then
  rm -rf "$root$prefix.old"
  mv "$root$prefix" "$root$prefix.old"
fi
mv "$root$prefix.new" "$root$prefix"
rm -rf "$root$prefix.old"
mkdir -p "$root/usr/local/bin"
ln -sf "$prefix/bin/xuncha" "$root/usr/local/bin/xuncha"

# Settings: never overwritten.
mkdir -p "$root/etc/xuncha"
if [ ! -e "$root/etc/xuncha/xuncha.env" ]; then
  cp "$here/xuncha.env" "$root/etc/xuncha/xuncha.env"
  chmod 0640 "$root/etc/xuncha/xuncha.env"
  echo "install.sh: wrote /etc/xuncha/xuncha.env (edit it, then: systemctl restart xuncha)"
fi

# The unit, pointed at PREFIX.
mkdir -p "$root/etc/systemd/system"
sed "s#/opt/xuncha/#$prefix/#g" "$here/xuncha.service" > "$root/etc/systemd/system/xuncha.service"
chmod 0644 "$root/etc/systemd/system/xuncha.service"
mkdir -p "$root/var/lib/xuncha"
chmod 0750 "$root/var/lib/xuncha"

[ -z "$root" ] || { echo "install.sh: staged under $root"; exit 0; }

if ! getent passwd xuncha >/dev/null; then
  if command -v adduser >/dev/null 2>&1; then
    adduser --system --group --home /var/lib/xuncha --no-create-home --gecos "Xuncha service" xuncha >/dev/null
  else
    useradd --system --user-group --home-dir /var/lib/xuncha --no-create-home --shell /usr/sbin/nologin xuncha
  fi
fi
chown xuncha:xuncha /var/lib/xuncha
chgrp xuncha /etc/xuncha/xuncha.env
echo "install.sh: installed $("$prefix/bin/xuncha" --version 2>/dev/null || echo xuncha) in $prefix"

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ "$start" = yes ]; then
    systemctl enable --now xuncha.service
    echo "install.sh: started xuncha.service (systemctl status xuncha; journalctl -u xuncha)"
  else
    echo "install.sh: start it with: systemctl enable --now xuncha"
  fi
else
  echo "install.sh: systemd is not running here; start it with: $prefix/bin/xuncha serve (settings from /etc/xuncha/xuncha.env)"
fi
