// The browser's time zone (IANA name, e.g. "Asia/Seoul"), so the server can show times in it.
export function timeZone() {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
