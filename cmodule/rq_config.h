// Build-time switches for boards with little flash. Each is on unless the
// build sets it to 0: make ports with `RQ_ENABLE_X=0` on the make command
// line (cmodule/micropython.mk), CMake ports with `-DRQ_ENABLE_X=0`
// (cmodule/micropython.cmake); both also select the Rust side's features.
// README ("Build-time switches") lists what each one saves.
#ifndef RQ_CONFIG_H
#define RQ_CONFIG_H

// files= (multipart/form-data uploads). Off: files= raises NotImplementedError.
#ifndef RQ_ENABLE_MULTIPART
#define RQ_ENABLE_MULTIPART (1)
#endif

// The module-level request()/get()/... and set_socket() of the original API.
#ifndef RQ_ENABLE_LEGACY_API
#define RQ_ENABLE_LEGACY_API (1)
#endif

// Response.iter_lines() and iter_content(decode_unicode=True).
#ifndef RQ_ENABLE_ITER_LINES
#define RQ_ENABLE_ITER_LINES (1)
#endif

// Response.json(*path) / json({name: path}) and iter_json(*path) (SPEC §9).
#ifndef RQ_ENABLE_JSON_SELECT
#define RQ_ENABLE_JSON_SELECT (1)
#endif

// gzip/deflate bodies through the firmware's deflate module (SPEC §10).
#ifndef RQ_ENABLE_DEFLATE
#define RQ_ENABLE_DEFLATE (1)
#endif

// AsyncSession and Response.aread/ajson/aiter_* (SPEC §11).
#ifndef RQ_ENABLE_ASYNC
#define RQ_ENABLE_ASYNC (1)
#endif

#endif // RQ_CONFIG_H
