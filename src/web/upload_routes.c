/* upload_routes: the list of upload routes, the requests whose body may reach
 * HTTP_MAX_UPLOAD_BYTES instead of HTTP_MAX_BODY_BYTES (see http_server_opts.is_upload). */
#include <stddef.h>
#include <string.h>

/* POST patterns; '*' is exactly one non-empty path segment. */
static const char *const upload_routes[] = {
    "/groupes/*/carnet/*/photos",
    "/api/v1/entries/*/photos",
    /* CSV files of actions, up to CSV_MAX_BYTES (csv_read refuses more) */
    "/actions/import",
    /* PDF attachments of applications, CALL_APP_FILES_MAX of CALL_APP_FILE_MAX_BYTES each */
    "/candidatures/*/pieces",
    "/api/v1/applications/*/files",
};

static int matches(const char *pattern, const char *path)
{
    while (*pattern && *path) {
        if (*pattern == '*') {
            size_t seg = strcspn(path, "/");
            if (seg == 0)
                return 0;
            path += seg;
            pattern++;
        } else if (*pattern++ != *path++)
            return 0;
    }
    return *pattern == 0 && *path == 0;
}

int web_is_upload(const char *method, const char *path)
{
    if (!method || !path || strcmp(method, "POST") != 0)
        return 0;
    for (size_t i = 0; i < sizeof upload_routes / sizeof *upload_routes; i++)
        if (matches(upload_routes[i], path))
            return 1;
    return 0;
}
