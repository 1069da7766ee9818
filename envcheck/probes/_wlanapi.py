"""Windows Wi-Fi through the Native Wifi API (wlanapi.dll) with ctypes: locale-independent.

WlanOpenHandle -> WlanEnumInterfaces -> WlanQueryInterface(wlan_intf_opcode_current_connection)
for each connected interface -> WlanFreeMemory -> WlanCloseHandle. Structures and enums are
written from Microsoft's documentation (wlanapi.h / windot11.h / wlantypes.h):
WLAN_INTERFACE_INFO_LIST, WLAN_INTERFACE_INFO, WLAN_CONNECTION_ATTRIBUTES,
WLAN_ASSOCIATION_ATTRIBUTES, WLAN_SECURITY_ATTRIBUTES, DOT11_AUTH_ALGORITHM,
DOT11_CIPHER_ALGORITHM, DOT11_PHY_TYPE, WLAN_INTERFACE_STATE.

The value is plain data with the enum NAMES, no SSID, BSSID, GUID or adapter name:
  {"interfaces": [{"state": "wlan_interface_state_connected", "auth": "DOT11_AUTH_ALGO_RSNA_PSK",
                   "cipher": "DOT11_CIPHER_ALGO_CCMP", "security_enabled": true,
                   "signal_quality": 80, "phy": "802.11ax"}]}
  {"service": "not_running", "interfaces": []}       WLAN AutoConfig is stopped (no Wi-Fi possible)
  {"service": "absent", "interfaces": []}            no wlanapi.dll (Windows Server without the
                                                     Wireless LAN Service feature: no Wi-Fi possible)
An interface whose connection query was refused carries "query_error": "access_denied": since
Windows 11 24H2, WlanQueryInterface returns ERROR_ACCESS_DENIED (5) for this opcode when location
access is off for desktop apps (learn.microsoft.com/windows/win32/nativewifi/wi-fi-access-location-changes;
emoacht/ManagedNativeWifi#61: "MethodName: WlanQueryInterface, ErrorCode: 5" on 24H2). The pure
reading of this value is facts/wifi.py `from_wlanapi`.

Only the enum mappings and structure layouts run off Windows (tests check them with ctypes);
`read()` itself loads wlanapi.dll and runs on Windows only.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, Structure, byref, c_int32, c_uint8, c_uint16, c_uint32, c_void_p

from envcheck.errors import AccessDenied, FailedStatus, NotInstalled

DWORD = c_uint32  # DWORD, ULONG and C enums are 32-bit on Windows (c_ulong is 64-bit on Linux)
BOOL = c_int32
WCHAR = c_uint16  # UTF-16 code unit (c_wchar is 32-bit on Linux)

#: netsh's refusal since Windows 11 24H2 when location access is off: exit status 1 and a
#: translated paragraph that always carries this Settings URI (tests/fixtures/netsh/).
LOCATION_URI = "ms-settings:privacy-location"

ERROR_SUCCESS = 0
ERROR_ACCESS_DENIED = 5
ERROR_SERVICE_NOT_ACTIVE = 1062
WLAN_CLIENT_VERSION_2 = 2  # Windows Vista and later
WLAN_INTF_OPCODE_CURRENT_CONNECTION = 7
WLAN_MAX_NAME_LENGTH = 256
DOT11_SSID_MAX_LENGTH = 32


class GUID(Structure):
    _fields_ = [("Data1", DWORD), ("Data2", c_uint16), ("Data3", c_uint16), ("Data4", c_uint8 * 8)]


class WLAN_INTERFACE_INFO(Structure):
    _fields_ = [("InterfaceGuid", GUID), ("strInterfaceDescription", WCHAR * WLAN_MAX_NAME_LENGTH),
                ("isState", DWORD)]


class WLAN_INTERFACE_INFO_LIST(Structure):
    # InterfaceInfo is declared [1] and really holds dwNumberOfItems entries (read by pointer).
    _fields_ = [("dwNumberOfItems", DWORD), ("dwIndex", DWORD), ("InterfaceInfo", WLAN_INTERFACE_INFO * 1)]


class DOT11_SSID(Structure):
    _fields_ = [("uSSIDLength", DWORD), ("ucSSID", c_uint8 * DOT11_SSID_MAX_LENGTH)]


class WLAN_ASSOCIATION_ATTRIBUTES(Structure):
    _fields_ = [("dot11Ssid", DOT11_SSID), ("dot11BssType", DWORD), ("dot11Bssid", c_uint8 * 6),
                ("dot11PhyType", DWORD), ("uDot11PhyIndex", DWORD), ("wlanSignalQuality", DWORD),
                ("ulRxRate", DWORD), ("ulTxRate", DWORD)]


class WLAN_SECURITY_ATTRIBUTES(Structure):
    _fields_ = [("bSecurityEnabled", BOOL), ("bOneXEnabled", BOOL), ("dot11AuthAlgorithm", DWORD),
                ("dot11CipherAlgorithm", DWORD)]


class WLAN_CONNECTION_ATTRIBUTES(Structure):
    _fields_ = [("isState", DWORD), ("wlanConnectionMode", DWORD),
                ("strProfileName", WCHAR * WLAN_MAX_NAME_LENGTH),
                ("wlanAssociationAttributes", WLAN_ASSOCIATION_ATTRIBUTES),
                ("wlanSecurityAttributes", WLAN_SECURITY_ATTRIBUTES)]


INTERFACE_STATES = {
    0: "wlan_interface_state_not_ready", 1: "wlan_interface_state_connected",
    2: "wlan_interface_state_ad_hoc_network_formed", 3: "wlan_interface_state_disconnecting",
    4: "wlan_interface_state_disconnected", 5: "wlan_interface_state_associating",
    6: "wlan_interface_state_discovering", 7: "wlan_interface_state_authenticating",
}
AUTH_ALGORITHMS = {
    1: "DOT11_AUTH_ALGO_80211_OPEN", 2: "DOT11_AUTH_ALGO_80211_SHARED_KEY", 3: "DOT11_AUTH_ALGO_WPA",
    4: "DOT11_AUTH_ALGO_WPA_PSK", 5: "DOT11_AUTH_ALGO_WPA_NONE", 6: "DOT11_AUTH_ALGO_RSNA",
    7: "DOT11_AUTH_ALGO_RSNA_PSK", 8: "DOT11_AUTH_ALGO_WPA3", 9: "DOT11_AUTH_ALGO_WPA3_SAE",
    10: "DOT11_AUTH_ALGO_OWE", 11: "DOT11_AUTH_ALGO_WPA3_ENT",
}
CIPHER_ALGORITHMS = {
    0x00: "DOT11_CIPHER_ALGO_NONE", 0x01: "DOT11_CIPHER_ALGO_WEP40", 0x02: "DOT11_CIPHER_ALGO_TKIP",
    0x04: "DOT11_CIPHER_ALGO_CCMP", 0x05: "DOT11_CIPHER_ALGO_WEP104", 0x06: "DOT11_CIPHER_ALGO_BIP",
    0x08: "DOT11_CIPHER_ALGO_GCMP", 0x09: "DOT11_CIPHER_ALGO_GCMP_256", 0x0A: "DOT11_CIPHER_ALGO_CCMP_256",
    0x0B: "DOT11_CIPHER_ALGO_BIP_GMAC_128", 0x0C: "DOT11_CIPHER_ALGO_BIP_GMAC_256",
    0x0D: "DOT11_CIPHER_ALGO_BIP_CMAC_256", 0x100: "DOT11_CIPHER_ALGO_RSN_USE_GROUP",
    0x101: "DOT11_CIPHER_ALGO_WEP",
}
#: DOT11_PHY_TYPE -> the 802.11 amendment people know.
PHY_TYPES = {1: "802.11 FHSS", 2: "802.11 DSSS", 3: "802.11 IR", 4: "802.11a", 5: "802.11b", 6: "802.11g",
             7: "802.11n", 8: "802.11ac", 9: "802.11ad", 10: "802.11ax", 11: "802.11be"}


def enum_name(table: dict[int, str], value: int) -> str:
    """A documented enum's name; an undocumented value (IHV range, newer Windows) stays visible."""
    return table.get(value, f"unknown:0x{value & 0xFFFFFFFF:x}")


def connection_entry(attrs: WLAN_CONNECTION_ATTRIBUTES) -> dict:
    """The locale-free, identity-free part of one connection (no SSID, BSSID or profile name)."""
    sec, assoc = attrs.wlanSecurityAttributes, attrs.wlanAssociationAttributes
    return {"auth": enum_name(AUTH_ALGORITHMS, sec.dot11AuthAlgorithm),
            "cipher": enum_name(CIPHER_ALGORITHMS, sec.dot11CipherAlgorithm),
            "security_enabled": bool(sec.bSecurityEnabled), "onex_enabled": bool(sec.bOneXEnabled),
            "signal_quality": int(assoc.wlanSignalQuality), "phy": PHY_TYPES.get(assoc.dot11PhyType)}


def _load():
    """wlanapi.dll with its prototypes; None on Windows without it (Server without the Wireless
    LAN Service feature: no Wi-Fi is possible); NotInstalled off Windows."""
    windll = getattr(ctypes, "WinDLL", None)
    if windll is None:
        raise NotInstalled("wlanapi.dll exists on Windows only")
    try:
        dll = windll("wlanapi.dll")
    except OSError:
        return None
    dll.WlanOpenHandle.argtypes = [DWORD, c_void_p, POINTER(DWORD), POINTER(c_void_p)]
    dll.WlanOpenHandle.restype = DWORD
    dll.WlanEnumInterfaces.argtypes = [c_void_p, c_void_p, POINTER(POINTER(WLAN_INTERFACE_INFO_LIST))]
    dll.WlanEnumInterfaces.restype = DWORD
    dll.WlanQueryInterface.argtypes = [c_void_p, POINTER(GUID), DWORD, c_void_p, POINTER(DWORD),
                                       POINTER(c_void_p), POINTER(DWORD)]
    dll.WlanQueryInterface.restype = DWORD
    dll.WlanFreeMemory.argtypes = [c_void_p]
    dll.WlanFreeMemory.restype = None
    dll.WlanCloseHandle.argtypes = [c_void_p, c_void_p]
    dll.WlanCloseHandle.restype = DWORD
    return dll


def _query(dll, handle: c_void_p, guid: GUID) -> dict:
    size, data, kind = DWORD(), c_void_p(), DWORD()
    rc = dll.WlanQueryInterface(handle, byref(guid), WLAN_INTF_OPCODE_CURRENT_CONNECTION, None,
                                byref(size), byref(data), byref(kind))
    if rc == ERROR_ACCESS_DENIED:
        return {"query_error": "access_denied"}
    if rc != ERROR_SUCCESS or not data.value:
        return {"query_error": f"error {rc}"}
    try:
        if size.value < ctypes.sizeof(WLAN_CONNECTION_ATTRIBUTES):
            return {"query_error": f"short answer ({size.value} bytes)"}
        return connection_entry(ctypes.cast(data, POINTER(WLAN_CONNECTION_ATTRIBUTES)).contents)
    finally:
        dll.WlanFreeMemory(data)


def read() -> dict:
    """The probe: every wireless interface's state, and the security of the connected ones."""
    dll = _load()
    if dll is None:
        return {"service": "absent", "interfaces": []}
    version, handle = DWORD(), c_void_p()
    rc = dll.WlanOpenHandle(WLAN_CLIENT_VERSION_2, None, byref(version), byref(handle))
    if rc == ERROR_SERVICE_NOT_ACTIVE:
        return {"service": "not_running", "interfaces": []}
    if rc == ERROR_ACCESS_DENIED:
        raise AccessDenied("WlanOpenHandle: access denied")
    if rc != ERROR_SUCCESS:
        raise FailedStatus(f"WlanOpenHandle returned {rc}", status=rc)
    try:
        plist = POINTER(WLAN_INTERFACE_INFO_LIST)()
        rc = dll.WlanEnumInterfaces(handle, None, byref(plist))
        if rc == ERROR_ACCESS_DENIED:
            raise AccessDenied("WlanEnumInterfaces: access denied")
        if rc != ERROR_SUCCESS or not plist:
            raise FailedStatus(f"WlanEnumInterfaces returned {rc}", status=rc)
        try:
            n = plist.contents.dwNumberOfItems
            first = ctypes.addressof(plist.contents) + WLAN_INTERFACE_INFO_LIST.InterfaceInfo.offset
            infos = (WLAN_INTERFACE_INFO * n).from_address(first) if n else []
            out = []
            for info in infos:
                entry: dict = {"state": enum_name(INTERFACE_STATES, info.isState)}
                if info.isState == 1:
                    entry.update(_query(dll, handle, info.InterfaceGuid))
                out.append(entry)
            return {"interfaces": out}
        finally:
            dll.WlanFreeMemory(plist)
    finally:
        dll.WlanCloseHandle(handle, None)
