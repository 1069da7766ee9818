"""The pure Linux parsers (envcheck/facts/_linux_parse.py) and the Linux collectors, fed real outputs.

Every input comes from tests/fixtures/sources/linux_*.txt (each file names where it was
recorded); the lines starting with '#' there are the provenance notes, not output.
Expected values are written out in full.
"""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from envcheck.facts import _linux
from envcheck.facts import _linux_parse as p
from envcheck.facts.model import Firewall, NoWifi, OsInfo, Unknown
from envcheck.probes import ProbeResult

SOURCES = Path(__file__).parent / "fixtures" / "sources"


def source(name: str) -> str:
    """The recorded output of a source file, without its '#' provenance lines."""
    return "\n".join(line for line in (SOURCES / name).read_text(encoding="utf-8").splitlines()
                     if not line.startswith("#")) + "\n"


def lines_between(name: str, first: str, last: str, dedent: bool = True) -> str:
    """The verbatim lines of a multi-output source file from the line starting with `first`
    (after stripping indentation) to the one starting with `last`, both included."""
    raw = (SOURCES / name).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(raw) if line.strip().startswith(first))
    end = next(i for i in range(start, len(raw)) if raw[i].strip().startswith(last))
    text = "\n".join(raw[start:end + 1]) + "\n"
    return textwrap.dedent(text) if dedent else text


def ok(value) -> ProbeResult:
    return ProbeResult(value=value)


# ------------------------------------------------------------------------------------------- os-release

UBUNTU24 = {
    "PRETTY_NAME": "Ubuntu 24.04.3 LTS", "NAME": "Ubuntu", "VERSION_ID": "24.04",
    "VERSION": "24.04.3 LTS (Noble Numbat)", "VERSION_CODENAME": "noble", "ID": "ubuntu", "ID_LIKE": "debian",
    "HOME_URL": "https://www.ubuntu.com/", "SUPPORT_URL": "https://help.ubuntu.com/",
    "BUG_REPORT_URL": "https://bugs.launchpad.net/ubuntu/",
    "PRIVACY_POLICY_URL": "https://www.ubuntu.com/legal/terms-and-policies/privacy-policy",
    "UBUNTU_CODENAME": "noble", "LOGO": "ubuntu-logo",
}
DEBIAN13 = {
    "PRETTY_NAME": "Debian GNU/Linux 13 (trixie)", "NAME": "Debian GNU/Linux", "VERSION_ID": "13",
    "VERSION": "13 (trixie)", "VERSION_CODENAME": "trixie", "DEBIAN_VERSION_FULL": "13.1", "ID": "debian",
    "HOME_URL": "https://www.debian.org/", "SUPPORT_URL": "https://www.debian.org/support",
    "BUG_REPORT_URL": "https://bugs.debian.org/",
}
FEDORA42 = {
    "NAME": "Fedora Linux", "VERSION": "42 (Forty Two)", "ID": "fedora", "VERSION_ID": "42",
    "VERSION_CODENAME": "", "PLATFORM_ID": "platform:f42", "PRETTY_NAME": "Fedora Linux 42 (Forty Two)",
    "ANSI_COLOR": "0;38;2;60;110;180", "LOGO": "fedora-logo-icon", "CPE_NAME": "cpe:/o:fedoraproject:fedora:42",
    "DEFAULT_HOSTNAME": "fedora", "HOME_URL": "https://fedoraproject.org/",
    "DOCUMENTATION_URL": "https://docs.fedoraproject.org/en-US/fedora/f42/",
    "SUPPORT_URL": "https://ask.fedoraproject.org/", "BUG_REPORT_URL": "https://bugzilla.redhat.com/",
    "REDHAT_BUGZILLA_PRODUCT": "Fedora", "REDHAT_BUGZILLA_PRODUCT_VERSION": "42",
    "REDHAT_SUPPORT_PRODUCT": "Fedora", "REDHAT_SUPPORT_PRODUCT_VERSION": "42", "SUPPORT_END": "2026-05-13",
}
RHEL9 = {
    "NAME": "Red Hat Enterprise Linux", "VERSION": "9.6 (Plow)", "ID": "rhel", "ID_LIKE": "fedora",
    "VERSION_ID": "9.6", "PLATFORM_ID": "platform:el9", "PRETTY_NAME": "Red Hat Enterprise Linux 9.6 (Plow)",
    "ANSI_COLOR": "0;31", "LOGO": "fedora-logo-icon", "CPE_NAME": "cpe:/o:redhat:enterprise_linux:9::baseos",
    "HOME_URL": "https://www.redhat.com/",
    "DOCUMENTATION_URL": "https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/9",
    "BUG_REPORT_URL": "https://issues.redhat.com/", "REDHAT_BUGZILLA_PRODUCT": "Red Hat Enterprise Linux 9",
    "REDHAT_BUGZILLA_PRODUCT_VERSION": "9.6", "REDHAT_SUPPORT_PRODUCT": "Red Hat Enterprise Linux",
    "REDHAT_SUPPORT_PRODUCT_VERSION": "9.6",
}
ALMA10 = {
    "NAME": "AlmaLinux", "VERSION": "10.0 (Purple Lion)", "ID": "almalinux", "ID_LIKE": "rhel centos fedora",
    "VERSION_ID": "10.0", "PLATFORM_ID": "platform:el10", "PRETTY_NAME": "AlmaLinux 10.0 (Purple Lion)",
    "ANSI_COLOR": "0;34", "LOGO": "fedora-logo-icon", "CPE_NAME": "cpe:/o:almalinux:almalinux:10::baseos",
    "HOME_URL": "https://almalinux.org/", "DOCUMENTATION_URL": "https://wiki.almalinux.org/",
    "VENDOR_NAME": "AlmaLinux", "VENDOR_URL": "https://almalinux.org/", "BUG_REPORT_URL": "https://bugs.almalinux.org/",
    "ALMALINUX_MANTISBT_PROJECT": "AlmaLinux-10", "ALMALINUX_MANTISBT_PROJECT_VERSION": "10.0",
    "REDHAT_SUPPORT_PRODUCT": "AlmaLinux", "REDHAT_SUPPORT_PRODUCT_VERSION": "10.0", "SUPPORT_END": "2035-06-01",
}
ROCKY9 = {
    "NAME": "Rocky Linux", "VERSION": "9.3 (Blue Onyx)", "ID": "rocky", "ID_LIKE": "rhel centos fedora",
    "VERSION_ID": "9.3", "PLATFORM_ID": "platform:el9", "PRETTY_NAME": "Rocky Linux 9.3 (Blue Onyx)",
    "ANSI_COLOR": "0;32", "LOGO": "fedora-logo-icon", "CPE_NAME": "cpe:/o:rocky:rocky:9::baseos",
    "HOME_URL": "https://rockylinux.org/", "BUG_REPORT_URL": "https://bugs.rockylinux.org/",
    "SUPPORT_END": "2032-05-31", "ROCKY_SUPPORT_PRODUCT": "Rocky-Linux-9", "ROCKY_SUPPORT_PRODUCT_VERSION": "9.3",
    "REDHAT_SUPPORT_PRODUCT": "Rocky Linux", "REDHAT_SUPPORT_PRODUCT_VERSION": "9.3",
}
OPENSUSE_LEAP15 = {
    "NAME": "openSUSE Leap", "VERSION": "15.2", "ID": "opensuse-leap", "ID_LIKE": "suse opensuse",
    "VERSION_ID": "15.2", "PRETTY_NAME": "openSUSE Leap 15.2", "ANSI_COLOR": "0;32",
    "CPE_NAME": "cpe:/o:opensuse:leap:15.2", "BUG_REPORT_URL": "https://bugs.opensuse.org",
    "HOME_URL": "https://www.opensuse.org/",
}
MINT_COMMON = {
    "HOME_URL": "https://www.linuxmint.com/", "SUPPORT_URL": "https://forums.linuxmint.com/",
    "BUG_REPORT_URL": "http://linuxmint-troubleshooting-guide.readthedocs.io/en/latest/",
    "PRIVACY_POLICY_URL": "https://www.linuxmint.com/",
}
MINT21_2 = {"NAME": "Linux Mint", "VERSION": "21.2 (Victoria)", "ID": "linuxmint", "ID_LIKE": "ubuntu debian",
            "PRETTY_NAME": "Linux Mint 21.2", "VERSION_ID": "21.2", **MINT_COMMON,
            "VERSION_CODENAME": "victoria", "UBUNTU_CODENAME": "jammy"}
MINT22_3 = {"NAME": "Linux Mint", "VERSION": "22.3 (Zena)", "ID": "linuxmint", "ID_LIKE": "ubuntu debian",
            "PRETTY_NAME": "Linux Mint 22.3", "VERSION_ID": "22.3", **MINT_COMMON,
            "VERSION_CODENAME": "zena", "UBUNTU_CODENAME": "noble"}
LMDE6 = {"PRETTY_NAME": "LMDE 6 (faye)", "NAME": "LMDE", "VERSION_ID": "6", "VERSION": "6 (faye)",
         "VERSION_CODENAME": "faye", "ID": "linuxmint", **MINT_COMMON, "ID_LIKE": "debian",
         "DEBIAN_CODENAME": "bookworm"}


@pytest.mark.parametrize("name, expected", [
    ("linux_os_release_ubuntu24.txt", UBUNTU24),
    ("linux_os_release_debian13.txt", DEBIAN13),
    ("linux_os_release_fedora42.txt", FEDORA42),
    ("linux_os_release_rhel9.txt", RHEL9),
    ("linux_os_release_almalinux10.txt", ALMA10),
    ("linux_os_release_rocky9.txt", ROCKY9),
    ("linux_os_release_opensuse_leap15.txt", OPENSUSE_LEAP15),
    ("linux_os_release_mint21_2.txt", MINT21_2),
    ("linux_os_release_mint22_3.txt", MINT22_3),
    ("linux_os_release_lmde6.txt", LMDE6),
])
def test_os_release_is_read_key_by_key_with_quotes_removed(name, expected):
    parsed = p.parse_os_release(source(name))
    assert parsed == expected
    assert list(parsed) == list(expected)  # the file's own order


@pytest.mark.parametrize("name, info", [
    ("linux_os_release_ubuntu24.txt",
     OsInfo("linux", "Ubuntu 24.04.3 LTS", "ubuntu", "24.04", id_like=("debian",))),
    ("linux_os_release_debian13.txt",
     OsInfo("linux", "Debian GNU/Linux 13 (trixie)", "debian", "13", id_like=())),
    ("linux_os_release_fedora42.txt",
     OsInfo("linux", "Fedora Linux 42 (Forty Two)", "fedora", "42", id_like=())),
    ("linux_os_release_rhel9.txt",
     OsInfo("linux", "Red Hat Enterprise Linux 9.6 (Plow)", "rhel", "9.6", id_like=("fedora",))),
    ("linux_os_release_almalinux10.txt",
     OsInfo("linux", "AlmaLinux 10.0 (Purple Lion)", "almalinux", "10.0", id_like=("rhel", "centos", "fedora"))),
    ("linux_os_release_rocky9.txt",
     OsInfo("linux", "Rocky Linux 9.3 (Blue Onyx)", "rocky", "9.3", id_like=("rhel", "centos", "fedora"))),
    ("linux_os_release_opensuse_leap15.txt",
     OsInfo("linux", "openSUSE Leap 15.2", "opensuse-leap", "15.2", id_like=("suse", "opensuse"))),
    ("linux_os_release_mint21_2.txt",
     OsInfo("linux", "Linux Mint 21.2", "linuxmint", "21.2", id_like=("ubuntu", "debian"))),
    ("linux_os_release_mint22_3.txt",
     OsInfo("linux", "Linux Mint 22.3", "linuxmint", "22.3", id_like=("ubuntu", "debian"))),
    ("linux_os_release_lmde6.txt",
     OsInfo("linux", "LMDE 6 (faye)", "linuxmint", "6", id_like=("debian",))),
])
def test_os_facts_take_id_version_id_and_pretty_name(name, info):
    no_lsb = ProbeResult(error="/etc/lsb-release does not exist", kind="not_installed")
    assert _linux.os_info({"linux.os_release": ok(source(name)), "linux.lsb_release": no_lsb}) == info


MINT20_3_SESSION = "linux_os_release_and_lsb_release_mint20_3.txt"


def test_mint_lsb_release_is_read_with_the_os_release_parser():
    lsb = lines_between(MINT20_3_SESSION, "DISTRIB_ID=", "DISTRIB_DESCRIPTION=")
    assert p.parse_os_release(lsb) == {"DISTRIB_ID": "LinuxMint", "DISTRIB_RELEASE": "20.3",
                                       "DISTRIB_CODENAME": "una", "DISTRIB_DESCRIPTION": "Linux Mint 20.3 Una"}


def test_mint_20_3_os_release_and_lsb_release_give_linuxmint_20_3():
    lsb = lines_between(MINT20_3_SESSION, "DISTRIB_ID=", "DISTRIB_DESCRIPTION=")
    rel = lines_between(MINT20_3_SESSION, 'NAME="Linux Mint"', "UBUNTU_CODENAME=")
    assert _linux.os_info({"linux.os_release": ok(rel), "linux.lsb_release": ok(lsb)}) == OsInfo(
        "linux", "Linux Mint 20.3", "linuxmint", "20.3", id_like=("ubuntu",))


def test_lsb_release_saying_linuxmint_overrides_an_os_release_that_says_ubuntu():
    # Mint 17-19 style: /etc/os-release names the Ubuntu base; /etc/lsb-release keeps Mint's own name.
    lsb = lines_between(MINT20_3_SESSION, "DISTRIB_ID=", "DISTRIB_DESCRIPTION=")
    info = _linux.os_info({"linux.os_release": ok(source("linux_os_release_ubuntu24.txt")),
                           "linux.lsb_release": ok(lsb)})
    assert (info.product, info.version) == ("linuxmint", "20.3")


def test_os_release_without_id_is_unknown_not_a_guess():
    info = _linux.os_info({"linux.os_release": ok('NAME="Something"\nVERSION_ID=1\n')})
    assert info == Unknown("os-release has no ID")


# ------------------------------------------------------------------------------------------- apt

def test_apt_list_counts_nothing_when_only_updates_suites_are_pending():
    text = lines_between("linux_apt_pending_updates.txt", "Listing... Done", "apt/jammy-updates")
    assert text.splitlines()[0] == "Listing... Done"
    assert p.parse_apt_upgradable(text) == 0


def test_apt_list_comma_joined_suites_and_third_party_repos_are_not_security():
    text = lines_between("linux_apt_pending_updates.txt", "apparmor/jammy-updates 3.0.4-2ubuntu2.1",
                         "evolution-data-server-common/")
    assert len(text.splitlines()) == 3
    assert p.parse_apt_upgradable(text) == 0


def test_apt_list_counts_debian_security_suite():
    # The Debian security line as quoted in the sample's note.
    line = "openssl/stable-security 3.0.17-1 amd64 [upgradable from: 3.0.16-1]\n"
    assert line.strip() in (SOURCES / "linux_apt_pending_updates.txt").read_text()
    assert p.parse_apt_upgradable("Listing...\n" + line) == 1


def test_apt_list_counts_security_anywhere_in_a_comma_list_of_suites():
    assert p.parse_apt_upgradable(
        "Listing...\n"
        "libc6/jammy-updates,jammy-security 2.35-0ubuntu3.8 amd64 [upgradable from: 2.35-0ubuntu3.7]\n") == 1


def test_apt_list_on_debian_12_oldstable_counts_the_oldstable_security_lines():
    text = source("linux_apt_list_upgradable_debian12_oldstable.txt")
    # apt-transport-https, apt and ca-certificates come from oldstable-security; eight others do not.
    assert p.parse_apt_upgradable(text) == 3


def test_apt_list_with_only_the_listing_header_means_zero_pending():
    assert p.parse_apt_upgradable("Listing...\n") == 0


def test_apt_list_output_that_is_not_a_listing_is_unreadable():
    assert p.parse_apt_upgradable("") is None
    assert p.parse_apt_upgradable("E: Could not open lock file /var/lib/dpkg/lock-frontend\n") is None


def test_apt_history_newest_upgrade_end_date():
    text = textwrap.dedent("""\

        Start-Date: 2025-06-24  14:36:25
        Commandline: apt-get -qqy upgrade
        Upgrade: libsystemd0:amd64 (252.36-1~deb12u1, 252.38-1~deb12u1), libudev1:amd64 (252.36-1~deb12u1, 252.38-1~deb12u1)
        End-Date: 2025-06-24  14:36:25

        Start-Date: 2026-05-09  07:28:46
        Commandline: apt-get install -y tzdata
        Upgrade: tzdata:amd64 (2025b-0+deb12u1, 2025b-0+deb12u2)
        End-Date: 2026-05-09  07:28:50

        Start-Date: 2026-06-01  10:00:00
        Commandline: apt-get remove -y vim
        Remove: vim:amd64 (2:9.0.1378-2+deb12u2)
        End-Date: 2026-06-01  10:00:02
        """)  # noqa: E501 - first two entries verbatim from this machine's /var/log/apt/history.log
    assert p.last_apt_upgrade(text) == "2026-05-09T07:28:50"


def test_apt_history_times_are_local_and_the_probe_turns_them_into_utc(monkeypatch, tmp_path):
    # history.log is written in local time; the report speaks UTC.
    import time

    from envcheck.probes import _linux as probes

    log = tmp_path / "history.log"
    log.write_text("Start-Date: 2026-05-09  07:28:46\nUpgrade: tzdata:amd64 (a, b)\nEnd-Date: 2026-05-09  07:28:50\n")
    real_read_text = probes.read_text
    monkeypatch.setattr(probes, "read_text", lambda path, limit=0: real_read_text(str(log), limit)
                        if path == "/var/log/apt/history.log" else real_read_text(path, limit))
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert probes._last_apt_upgrade() == "2026-05-08T22:28:50Z"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_dpkg_status_lists_installed_packages_with_versions():
    assert p.parse_dpkg_status(source("linux_dpkg_status_zoom_5_15.txt")) == [["zoom", "5.15.11.7239"]]


def test_dpkg_status_skips_removed_and_half_installed_packages():
    text = ("Package: a\nStatus: deinstall ok config-files\nVersion: 1\n\n"
            "Package: b\nStatus: install ok half-installed\nVersion: 2\n\n"
            "Package: c\nStatus: hold ok installed\nVersion: 3\n")
    assert p.parse_dpkg_status(text) == [["c", "3"]]


# ------------------------------------------------------------------------------------------- dnf

def test_dnf_updateinfo_fedora_counts_every_sec_line():
    text = lines_between("linux_dnf_updateinfo_security.txt", "Last metadata expiration check",
                         "FEDORA-2021-07dc0b3eb1")
    assert p.parse_dnf_security(text) == 8


def test_yum_updateinfo_rhel7_counts_rhsa_lines():
    text = lines_between("linux_dnf_updateinfo_security.txt", "RHSA-2019:0679",
                         "RHSA-2019:0710 Important/Sec. python-libs")
    assert p.parse_dnf_security(text) == 3


def test_yum_updateinfo_without_severity_counts_only_security_type():
    text = lines_between("linux_dnf_updateinfo_security.txt", "RSHA-2020-0001", "RHEA-2020-0003")
    assert len(text.splitlines()) == 3
    assert p.parse_dnf_security(text) == 1


def test_dnf_updateinfo_with_no_advisories_is_zero():
    assert p.parse_dnf_security("") == 0


# ------------------------------------------------------------------------------------------- ClamAV

CVD = "linux_clamav_version_and_cvd_header.txt"


def _cvd_line(prefix: str) -> str:
    line = next(x for x in (SOURCES / CVD).read_text().splitlines() if x.lstrip("# ").startswith(prefix))
    return line.lstrip("# ")


def test_cvd_header_build_time_is_read_from_the_epoch_field():
    line = _cvd_line("ClamAV-VDB:16 Apr 2020")
    assert p.parse_cvd_header(line) == datetime(2020, 4, 16, 11, 58, 59, tzinfo=timezone.utc)


def test_cvd_header_without_an_epoch_falls_back_to_the_human_date():
    line = _cvd_line("ClamAV-VDB:18 Aug 2026")
    assert line.endswith(":<epoch>")
    assert p.parse_cvd_header(line) == datetime(2026, 8, 18, 6, 27, tzinfo=timezone.utc)


def test_cvd_header_with_an_empty_last_field_uses_the_human_date_and_its_offset():
    line = _cvd_line("ClamAV-VDB:16 Mar 2016")
    assert p.parse_cvd_header(line) == datetime(2016, 3, 16, 23, 17, tzinfo=timezone.utc)
    assert p.parse_cvd_header("ClamAV-VDB:16 Apr 2020 07-58 -0400:25784:") == datetime(
        2020, 4, 16, 11, 58, tzinfo=timezone.utc)


def test_clamscan_version_lines_are_not_database_headers():
    assert p.parse_cvd_header("ClamAV 1.0.5/27321/Sat Jun 29 17:39:26 2024") is None
    assert p.parse_cvd_header("") is None


def test_clamav_facts_take_the_newest_database_and_the_services():
    headers = {"daily.cld": _cvd_line("ClamAV-VDB:18 Aug 2026").replace(":<epoch>", ":"),
               "daily.cvd": _cvd_line("ClamAV-VDB:16 Apr 2020")}
    units = {"ufw": "inactive", "firewalld": "inactive", "nftables": "inactive", "clamav-daemon": "inactive",
             "clamav-freshclam": "active", "clamav-clamonacc": "inactive"}
    (av,) = _linux.antivirus({"linux.clamav_db": ok(headers), "linux.units": ok(units)})
    assert (av.name, av.state, av.definitions, av.source) == (
        "ClamAV", "on", datetime(2026, 8, 18, 6, 27, tzinfo=timezone.utc), "clamav")


def test_no_clamav_database_means_no_antivirus_not_unknown():
    no_db = ProbeResult(error="no ClamAV database in /var/lib/clamav", kind="not_installed")
    assert _linux.antivirus({"linux.clamav_db": no_db}) == ()


# ------------------------------------------------------------------------------------------- ufw

def test_ufw_conf_as_shipped_is_disabled():
    assert p.parse_ufw_conf(source("linux_etc_ufw_ufw_conf_default.txt")) is False


def test_ufw_conf_after_ufw_enable_is_enabled():
    text = source("linux_etc_ufw_ufw_conf_default.txt").replace("ENABLED=no", "ENABLED=yes")
    assert p.parse_ufw_conf(text) is True


def test_ufw_conf_is_read_as_ufw_reads_it_quoted_value_and_last_line_wins():
    assert p.parse_ufw_conf('ENABLED="yes"\n') is True
    assert p.parse_ufw_conf("ENABLED=no\nENABLED=yes\n") is True
    assert p.parse_ufw_conf("# ENABLED=yes\n") is None
    assert p.parse_ufw_conf("ENABLED=maybe\n") is None


UFW = "linux_ufw_status_variants.txt"


def test_ufw_status_inactive():
    assert p.parse_ufw_status(lines_between(UFW, "Status: inactive", "Status: inactive")) is False


def test_ufw_status_verbose_active():
    text = lines_between(UFW, "Status: active", "443 (v6)")
    assert text.startswith("Status: active\nLogging: on (low)\n")
    assert p.parse_ufw_status(text) is True


def test_ufw_status_refused_for_non_root_is_unreadable_not_off():
    text = lines_between(UFW, "ERROR: You need to be root", "ERROR: You need to be root")
    assert p.parse_ufw_status(text) is None


def test_ufw_firewall_fact_prefers_status_and_falls_back_to_conf_plus_service():
    active = lines_between(UFW, "Status: active", "443 (v6)")
    assert _linux.firewalls({"linux.ufw_status": ok(active)}) == (Firewall("ufw", True, note="ufw status"),)
    conf_yes = source("linux_etc_ufw_ufw_conf_default.txt").replace("ENABLED=no", "ENABLED=yes")
    fws = _linux.firewalls({"linux.ufw_status": ProbeResult(error="ufw status needs root"),
                            "linux.ufw_conf": ok(conf_yes), "linux.units": ok({"ufw": "active"})})
    assert [(f.name, f.on) for f in fws] == [("ufw", True)]
    fws = _linux.firewalls({"linux.ufw_conf": ok(conf_yes), "linux.units": ok({"ufw": "inactive"})})
    assert [(f.name, f.on) for f in fws] == [("ufw", False)]
    fws = _linux.firewalls({"linux.ufw_conf": ok(conf_yes), "linux.units": ProbeResult(error="no systemd")})
    assert [(f.name, f.on) for f in fws] == [("ufw", None)]


def test_firewalld_not_running_is_off_and_polkit_refusal_falls_back_to_systemctl():
    (fw,) = _linux.firewalls({"linux.firewalld_state": ok("not running\n")})
    assert (fw.name, fw.on) == ("firewalld", False)
    (fw,) = _linux.firewalls({"linux.firewalld_state": ProbeResult(
        error="firewall-cmd needs administrator rights: Authorization failed."),
        "linux.units": ok({"firewalld": "active"})})
    assert (fw.name, fw.on) == ("firewalld", True)


NO_UFW_CONF = ProbeResult(error="/etc/ufw/ufw.conf does not exist", kind="not_installed")
NO_FIREWALLD = ProbeResult(error="firewall-cmd is not installed", kind="not_installed")


def test_nft_ruleset_read_with_no_input_chain_is_a_firewall_that_is_off():
    empty = ('{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", '
             '"json_schema_version": 1}}]}')
    fws = _linux.firewalls({"linux.nft_ruleset": ok(empty),
                            "linux.ufw_conf": NO_UFW_CONF, "linux.firewalld_state": NO_FIREWALLD})
    assert [(f.name, f.on) for f in fws] == [("nftables", False)]


def test_nft_input_chain_policy_drop_is_on():
    doc = {"nftables": [{"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1,
                                   "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}]}
    assert p.nft_input_policy(doc) == "drop"
    doc["nftables"][0]["chain"]["policy"] = "accept"
    assert p.nft_input_policy(doc) == "accept"


def test_no_firewall_software_at_all_is_none_found():
    assert _linux.firewalls({
        "linux.ufw_conf": ProbeResult(error="/etc/ufw/ufw.conf does not exist", kind="not_installed"),
        "linux.firewalld_state": ProbeResult(error="firewall-cmd is not installed", kind="not_installed"),
        "linux.nft_ruleset": ProbeResult(error="nft is not installed", kind="not_installed")}) == ()


# ------------------------------------------------------------------------------------------- sound

ASOUND = "linux_proc_asound_cards_and_pcm.txt"


def test_asound_pcm_lists_capture_devices_only():
    pcm = lines_between(ASOUND, "00-00: USB Audio", "01-08: HDMI 2")
    assert p.parse_asound_pcm(pcm) == ["USB Audio", "CX20632 Analog", "CX20632 Alt Analog"]


def test_asound_pcm_with_only_hdmi_playback_has_no_microphone():
    pcm = lines_between(ASOUND, "01-03: HDMI 0", "01-08: HDMI 2")
    assert p.parse_asound_pcm(pcm) == []
    assert _linux.microphones({"linux.asound_pcm": ok(pcm)}) == ()


def test_asound_cards_file_is_not_mistaken_for_pcm_lines():
    cards = lines_between(ASOUND, "0 [H2", "HDA Intel PCH at 0x1ff1010000")
    assert p.parse_asound_pcm(cards) == []


# ------------------------------------------------------------------------------------------- nmcli

NMCLI = "linux_nmcli_terse_wifi_list.txt"
NMCLI_FIELDS = "active,ssid,bssid,mode,chan,freq,signal,security,wpa-flags,rsn-flags"


def test_nmcli_terse_active_row_with_escaped_colons_in_the_bssid():
    assert p.parse_nmcli(NMCLI_FIELDS, source(NMCLI)) == {
        "ACTIVE": "yes", "SSID": "Linksys01777_5GHz", "BSSID": "31:23:03:1A:9F:1D", "MODE": "Infra",
        "CHAN": "36", "FREQ": "5180 MHz", "SIGNAL": "75", "SECURITY": "WPA2", "WPA-FLAGS": "(none)",
        "RSN-FLAGS": "pair_ccmp group_ccmp psk"}


def _open_network_active() -> str:
    """The sample with the open guest network (empty SECURITY) as the active one."""
    text = source(NMCLI).replace("yes:Linksys01777_5GHz:", "no:Linksys01777_5GHz:")
    return text.replace("no:Linksys01777-invité:", "yes:Linksys01777-invité:")


def test_nmcli_open_network_has_empty_security_and_is_classified_open():
    row = p.parse_nmcli(NMCLI_FIELDS, _open_network_active())
    assert row == {"ACTIVE": "yes", "SSID": "Linksys01777-invité", "BSSID": "31:23:03:18:9F:1C", "MODE": "Infra",
                   "CHAN": "11", "FREQ": "2462 MHz", "SIGNAL": "100", "SECURITY": "", "WPA-FLAGS": "(none)",
                   "RSN-FLAGS": "(none)"}
    wifi = _linux.wifi({"linux.nmcli_wifi": ok({"fields": NMCLI_FIELDS, "text": _open_network_active()})})
    assert (wifi.connected, wifi.security, wifi.label) == (True, "open", "(none)")


def test_nmcli_wpa1_wpa2_mixed_network_is_wpa2():
    text = source(NMCLI).replace("yes:Linksys01777_5GHz:", "no:Linksys01777_5GHz:").replace(
        "no:EBOX_6070:", "yes:EBOX_6070:")
    wifi = _linux.wifi({"linux.nmcli_wifi": ok({"fields": NMCLI_FIELDS, "text": text})})
    assert (wifi.security, wifi.label) == ("wpa2", "WPA1 WPA2")


def test_nmcli_value_ending_in_a_backslash_does_not_shift_the_columns():
    # nmcli -t writes a backslash in a value as '\\' and a colon as '\:'.
    line = "yes:back\\\\:AA\\:BB:Infra:1:2412 MHz:50:WPA3:(none):(none)"
    row = p.parse_nmcli(NMCLI_FIELDS, line)
    assert (row["SSID"], row["BSSID"], row["SECURITY"]) == ("back\\", "AA:BB", "WPA3")


def test_nmcli_with_no_active_row_means_no_wifi_in_use():
    text = source(NMCLI).replace("yes:", "no:")
    assert p.parse_nmcli(NMCLI_FIELDS, text) is None
    assert isinstance(_linux.wifi({"linux.nmcli_wifi": ok({"fields": NMCLI_FIELDS, "text": text})}), NoWifi)


def test_nmcli_probe_shaped_output_active_security_signal():
    # What the probe asks for (no SSID): ACTIVE,SECURITY,SIGNAL, projected from the real rows.
    rows = [line.replace("\\:", "").split(":") for line in source(NMCLI).splitlines()
            if line.startswith(("yes:", "no:"))]
    assert len(rows) == 14
    text = "\n".join(f"{r[0]}:{r[7]}:{r[6]}" for r in rows)
    assert text.splitlines()[3] == "yes:WPA2:75"
    assert p.parse_nmcli("ACTIVE,SECURITY,SIGNAL", text) == {"ACTIVE": "yes", "SECURITY": "WPA2", "SIGNAL": "75"}


def test_nmcli_missing_is_unknown_unless_no_wireless_interface_is_up():
    # Before, a missing nmcli meant "no Wi-Fi": but iwd, wpa_supplicant or connman connect without it.
    missing = ProbeResult(error="nmcli is not installed", kind="not_installed")
    assert isinstance(_linux.wifi({"linux.nmcli_wifi": missing}), Unknown)
    wired = [{"wireless": False, "operstate": "up"}, {"wireless": True, "operstate": "down"}]
    assert _linux.wifi({"linux.nmcli_wifi": missing, "linux.net_links": ok(wired)}) == NoWifi(
        "/sys/class/net: 1 wireless interface, none up")
    on_air = [{"wireless": True, "operstate": "up"}]
    assert isinstance(_linux.wifi({"linux.nmcli_wifi": missing, "linux.net_links": ok(on_air)}), Unknown)
    assert isinstance(_linux.wifi({"linux.nmcli_wifi": ProbeResult(error="nmcli gave no answer within 10 s",
                                                                   kind="timed_out")}), Unknown)


def test_an_old_snapshot_without_kinds_never_reads_not_installed():
    # Snapshots written before failure kinds existed load, and their failures count as "failed".
    assert isinstance(_linux.antivirus({"linux.clamav_db": ProbeResult(error="no ClamAV database in /var/lib/clamav")}),
                      Unknown)


def test_systemctl_inactive_without_firewall_cmd_is_no_firewalld_not_an_off_one():
    # `systemctl is-active` prints "inactive" for units that do not exist.
    fws = _linux.firewalls({"linux.firewalld_state": NO_FIREWALLD,
                            "linux.units": ok({"ufw": "inactive", "firewalld": "inactive", "nftables": "inactive"}),
                            "linux.ufw_conf": NO_UFW_CONF,
                            "linux.nft_ruleset": ProbeResult(error="nft is not installed", kind="not_installed")})
    assert fws == ()


def test_dnf_text_that_is_not_advisories_is_not_zero_pending():
    # Random text used to count as "0 pending" and pass os.patched (found by tests/test_probe_failures.py).
    assert p.parse_dnf_security("Error: Failed to download metadata for repo 'fedora'") is None
    assert p.parse_dnf_security("Last metadata expiration check: 0:01:02 ago on Mon.\n") == 0
