#!/usr/bin/env bash
# Builds the Debian package: deploy/build-deb.sh [OUT_DIR] [extra dotnet publish flags, e.g. --no-build]
# CONFIGURATION picks the build configuration (default Release). Prints the path of the .deb. Framework-dependent (needs aspnetcore-runtime-10.0 on the target: Kestrel serves h2 interception).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/deploy/out}" && cd "${1:-$root/deploy/out}" && pwd)
shift || true
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
chmod 755 "$stage"
trap 'rm -rf "$stage"' EXIT

lib="$stage/usr/lib/g3actors"
dotnet publish "$root/Proxy.Node/Proxy.Node.csproj" -c "${CONFIGURATION:-Release}" -o "$lib" --nologo -v quiet "$@" >&2
dotnet publish "$root/Proxy.Pbm/Proxy.Pbm.csproj" -c "${CONFIGURATION:-Release}" -o "$lib" --nologo -v quiet "$@" >&2

install -d "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/g3actors/default" \
    "$stage/usr/share/bash-completion/completions" "$stage/usr/share/doc/g3actors" "$stage/DEBIAN"
ln -s ../lib/g3actors/Proxy.Node "$stage/usr/bin/g3actors"
ln -s ../lib/g3actors/pbm "$stage/usr/bin/pbm"
install -m 644 "$root/deploy/debian/g3actors@.service" "$stage/lib/systemd/system/g3actors@.service"
install -m 644 "$root/deploy/main.yml" "$stage/etc/g3actors/default/main.yml"
install -m 644 "$root/cluster.hocon" "$stage/etc/g3actors/default/cluster.hocon"
install -m 644 "$root/deploy/debian/pbm.bash-completion" "$stage/usr/share/bash-completion/completions/pbm"
install -m 644 "$root/deploy/debian/g3actors.bash-completion" "$stage/usr/share/bash-completion/completions/g3actors"
install -m 644 "$root/docs/control.md" "$stage/usr/share/doc/g3actors/control.md"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" "$root/deploy/debian/control.in" > "$stage/DEBIAN/control"
printf '/etc/g3actors/default/main.yml\n/etc/g3actors/default/cluster.hocon\n' > "$stage/DEBIAN/conffiles"

deb="$out/g3actors_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >&2
echo "$deb"
