/* handlers: every route handler, one group per area (home.c, auth.c, coordination.c,
 * structure.c, group.c, logbook.c, user.c with account_page.c and user_api.c, api.c). The route
 * table in routes.c points at these. */
#ifndef LANTERNE_HANDLERS_H
#define LANTERNE_HANDLERS_H

#include "web/web.h"

/* home.c */
int web_home(struct ctx *c);
int web_healthz(struct ctx *c);
int web_static(struct ctx *c);
int web_lang(struct ctx *c);
/* auth.c */
int web_login_get(struct ctx *c);
int web_login_post(struct ctx *c);
int web_logout(struct ctx *c);
/* coordination.c */
int web_coordination_list(struct ctx *c);
int web_coordination_new(struct ctx *c);
int web_coordination_create(struct ctx *c);
int web_coordination_show(struct ctx *c);
int web_coordination_edit(struct ctx *c);
int web_coordination_update(struct ctx *c);
int web_api_coordination_list(struct ctx *c);
int web_api_coordination_get(struct ctx *c);
int web_api_coordination_create(struct ctx *c);
int web_api_coordination_update(struct ctx *c);
/* structure.c */
int web_structure_list(struct ctx *c);
int web_structure_new(struct ctx *c);
int web_structure_create(struct ctx *c);
int web_structure_show(struct ctx *c);
int web_structure_edit(struct ctx *c);
int web_structure_update(struct ctx *c);
int web_structure_delete_confirm(struct ctx *c);
int web_structure_delete(struct ctx *c);
int web_api_structure_list(struct ctx *c);
int web_api_structure_get(struct ctx *c);
int web_api_structure_create(struct ctx *c);
int web_api_structure_update(struct ctx *c);
int web_api_structure_delete(struct ctx *c);
/* group.c */
int web_group_list(struct ctx *c);
int web_group_new(struct ctx *c);
int web_group_create(struct ctx *c);
int web_group_show(struct ctx *c);
int web_group_edit(struct ctx *c);
int web_group_update(struct ctx *c);
int web_group_participants(struct ctx *c);
int web_group_participant_add(struct ctx *c);
int web_group_consent(struct ctx *c);
int web_group_consent_record(struct ctx *c);
int web_group_consent_withdraw(struct ctx *c);
int web_group_journal(struct ctx *c);
struct group;
struct participant;
/* The group of the {slug} segment, if the viewer may see it: a hidden group answers the same
 * 404 as no group at all. 0, or -1 once the answer is sent (*rc its result). The _managed
 * form also needs the right to manage it (403); _participant loads the participant of the
 * {id} segment, which must belong to g (404). Shared by the pages and the API. */
int web_group_load(struct ctx *c, struct group *g, int *rc);
int web_group_load_managed(struct ctx *c, struct group *g, int *rc);
int web_group_load_participant(struct ctx *c, const struct group *g, struct participant *p,
                               int *rc);
/* logbook.c */
int web_logbook_show(struct ctx *c);
int web_logbook_create(struct ctx *c);
int web_logbook_entry(struct ctx *c);
int web_logbook_edit(struct ctx *c);
int web_logbook_update(struct ctx *c);
int web_logbook_approve(struct ctx *c);
int web_logbook_delete_confirm(struct ctx *c);
int web_logbook_delete(struct ctx *c);
int web_logbook_undo(struct ctx *c);
int web_logbook_history(struct ctx *c);
struct logbook_entry;
struct photo;
/* The group of the {slug} parameter and the entry of the {id} parameter if the viewer may read
 * them; otherwise the 404 (identical whether missing or hidden) is sent and *rc is its
 * result. For the areas that hang off an entry (photos, comments). */
int web_logbook_load(struct ctx *c, struct group *g, struct logbook_entry *en, int *rc);
/* The same for an entry named by its id alone (the API's /entries/{id}). */
int web_entry_load_id(struct ctx *c, int64_t id, struct group *g, struct logbook_entry *en,
                      int *rc);
/* photo.c: an entry's photos, the media files, the upload and tagging pages */
int web_photo_manage(struct ctx *c);
int web_photo_upload(struct ctx *c);
int web_photo_show(struct ctx *c);
int web_photo_update(struct ctx *c);
int web_photo_delete_confirm(struct ctx *c);
int web_photo_delete(struct ctx *c);
int web_media_photo(struct ctx *c);
int web_photo_cover_set(struct ctx *c);
/* The group's cover photo as "cover" in a page model, if the viewer may see that photo. */
void web_photo_cover(struct ctx *c, json_t *m, const struct group *g);
/* The first photo of an entry the viewer may see, as in the gallery model, or NULL. */
json_t *web_photo_thumb(struct ctx *c, int64_t group_id, int64_t entry_id);
/* The entry's photos an anonymous visitor may see, as <img> elements (relative URLs), for
 * feeds; "" when none. */
const char *web_photos_public_html(struct ctx *c, int64_t group_id, int64_t entry_id);
/* The photos of en the viewer may see, as the "photos" array of a page model (with
 * "has_photos"): srcset of each derivative, signed URLs where the photo is not public. */
void web_photos_model(struct ctx *c, json_t *m, const struct group *g,
                      const struct logbook_entry *en);
/* One photo for the JSON API: its derivatives' URLs (signed for this viewer unless public),
 * sizes, alt text, and the ids of the people tagged when the viewer may see names. */
json_t *web_photo_api_json(struct ctx *c, const struct group *g, const struct logbook_entry *en,
                           const struct photo *p);
/* photo_api.c */
int web_api_photo_list(struct ctx *c);
int web_api_photo_upload(struct ctx *c);
int web_api_photo_get(struct ctx *c);
int web_api_photo_update(struct ctx *c);
int web_api_photo_delete(struct ctx *c);
/* search.c: the site search page and its API */
int web_search(struct ctx *c);
int web_api_search(struct ctx *c);
/* feed.c: the Atom feed of a public logbook, sitemap.xml, robots.txt */
int web_feed_atom(struct ctx *c);
int web_sitemap(struct ctx *c);
int web_robots(struct ctx *c);
/* Marks the page being answered as a public page when an anonymous visitor may see the group
 * (its page, its logbook) or the entry: indexable (no noindex) and linking the logbook's Atom
 * feed. The sitemap lists exactly these pages. */
void web_showcase_group(struct ctx *c, const struct group *g);
void web_showcase_entry(struct ctx *c, const struct group *g, const struct logbook_entry *en);
/* user.c */
int web_user_list(struct ctx *c);
int web_user_new(struct ctx *c);
int web_user_create(struct ctx *c);
int web_user_edit(struct ctx *c);
int web_user_update(struct ctx *c);
/* account_page.c */
int web_account_show(struct ctx *c);
int web_token_create(struct ctx *c);
int web_token_delete(struct ctx *c);
/* user_api.c */
int web_api_user_list(struct ctx *c);
int web_api_user_get(struct ctx *c);
int web_api_user_create(struct ctx *c);
int web_api_user_update(struct ctx *c);
int web_api_me(struct ctx *c);
/* api.c */
int web_api_openapi(struct ctx *c);
int web_api_communes(struct ctx *c);
int web_api_commune_get(struct ctx *c);
int web_api_departements(struct ctx *c);
/* group_api.c */
int web_api_group_list(struct ctx *c);
int web_api_group_create(struct ctx *c);
int web_api_group_get(struct ctx *c);
int web_api_group_update(struct ctx *c);
int web_api_participant_list(struct ctx *c);
int web_api_participant_create(struct ctx *c);
int web_api_participant_get(struct ctx *c);
int web_api_participant_update(struct ctx *c);
int web_api_consent_list(struct ctx *c);
int web_api_consent_record(struct ctx *c);
int web_api_consent_withdraw(struct ctx *c);
int web_api_group_audit(struct ctx *c);
/* entry_api.c */
int web_api_entry_list(struct ctx *c);
int web_api_entry_create(struct ctx *c);
int web_api_entry_get(struct ctx *c);
int web_api_entry_update(struct ctx *c);
int web_api_entry_delete(struct ctx *c);
int web_api_entry_restore(struct ctx *c);
int web_api_entry_approve(struct ctx *c);
/* comment.c */
struct comment;
/* Adds "comments" to the model of an entry page: the comments the viewer may see, the form to
 * write one, the moderation buttons. Returns the status the page is sent with (422 when it
 * shows a refused comment form again, else 200). */
int web_comment_model(struct ctx *c, json_t *m, const struct group *g,
                      const struct logbook_entry *en);
/* One comment for the JSON API, its author named as comment_name_for left it. */
json_t *web_comment_api_json(struct ctx *c, const struct group *g, const struct comment *cm);
/* Plain text as the lines of a template, [{"text", "first"}]: every character escaped by the
 * template, line breaks kept as <br> (comments, report notes). */
json_t *web_comment_lines(const char *s);
int web_comment_create(struct ctx *c);
int web_comment_hide(struct ctx *c);
int web_comment_show(struct ctx *c);
int web_comment_approve(struct ctx *c);
int web_api_comment_list(struct ctx *c);
int web_api_comment_create(struct ctx *c);
int web_api_comment_get(struct ctx *c);
int web_api_comment_hide(struct ctx *c);
int web_api_comment_approve(struct ctx *c);
/* moderation.c: reports ("signaler") and the moderation page */
int web_report_form(struct ctx *c);
int web_report_create(struct ctx *c);
int web_api_report_create(struct ctx *c);
int web_moderation(struct ctx *c);
int web_report_close(struct ctx *c);
int web_api_moderation(struct ctx *c);

/* tus uploads (tus.c) */
int web_is_stream(const char *method, const char *path);
int web_api_upload_options(struct ctx *c);
int web_api_upload_create(struct ctx *c);
int web_api_upload_head(struct ctx *c);
int web_api_upload_patch(struct ctx *c);
int web_api_upload_delete(struct ctx *c);
int web_test_file(struct ctx *c);

/* films: pages (film.c), media (film_media.c), API (film_api.c) */
int web_film_list(struct ctx *c);
int web_film_feed(struct ctx *c);
int web_film_collection(struct ctx *c);
int web_film_new(struct ctx *c);
int web_film_create(struct ctx *c);
int web_film_show(struct ctx *c);
int web_film_embed(struct ctx *c);
int web_film_edit(struct ctx *c);
int web_film_update(struct ctx *c);
int web_film_extras(struct ctx *c);
int web_film_credits(struct ctx *c);
int web_film_poster(struct ctx *c);
int web_film_caption_upload(struct ctx *c);
int web_film_caption_delete(struct ctx *c);
int web_film_upload_page(struct ctx *c);
int web_film_retry(struct ctx *c);
int web_film_delete_confirm(struct ctx *c);
int web_film_delete(struct ctx *c);
int web_media_film(struct ctx *c);
/* The films of g the viewer may see, for the group's page ("films", "has_films",
 * "can_add_film"), and the newest public films for the home page ("films", "has_films"). */
void web_film_group_model(struct ctx *c, json_t *m, const struct group *g);
void web_film_home_model(struct ctx *c, json_t *m);
/* The first films matching q that the viewer may see, for the site search ("films",
 * "has_films", "films_url"); public ready films as sitemap paths (n of them, in c's arena). */
void web_film_search_model(struct ctx *c, json_t *m, const char *q);
int web_film_sitemap(struct ctx *c, const char ***paths, int64_t **updated, int *n, struct err *e);
int web_api_film_list(struct ctx *c);
int web_api_film_create(struct ctx *c);
int web_api_film_get(struct ctx *c);
int web_api_film_update(struct ctx *c);
int web_api_film_delete(struct ctx *c);
int web_api_film_status(struct ctx *c);
int web_api_film_caption_put(struct ctx *c);
int web_api_film_caption_delete(struct ctx *c);
int web_api_collection_list(struct ctx *c);
int web_api_collection_get(struct ctx *c);
int web_api_collection_create(struct ctx *c);
int web_api_collection_add(struct ctx *c);
int web_api_collection_remove(struct ctx *c);
int web_api_collection_update(struct ctx *c);
int web_api_collection_delete(struct ctx *c);
/* film collections: pages and forms (film_collection_web.c); web_film_collection above is
 * the collection's page */
int web_film_collection_list(struct ctx *c);
int web_film_collection_new(struct ctx *c);
int web_film_collection_create(struct ctx *c);
int web_film_collection_edit(struct ctx *c);
int web_film_collection_update(struct ctx *c);
int web_film_collection_delete_confirm(struct ctx *c);
int web_film_collection_delete(struct ctx *c);
int web_film_collection_add_film(struct ctx *c);
int web_film_collection_remove_film(struct ctx *c);
int web_film_add_to_collection(struct ctx *c);
/* On a film's page: "film_collections" {in, has_in, choices, can_add, action}: the
 * collections holding f, and those the viewer manages that f may join. */
struct film;
void web_film_collections_model(struct ctx *c, json_t *m, const struct film *f);
/* actions: pages (action.c), the form (action_form.c), API (action_api.c) */
int web_action_list(struct ctx *c);
int web_action_show(struct ctx *c);
int web_action_new(struct ctx *c);
int web_action_create(struct ctx *c);
int web_action_edit(struct ctx *c);
int web_action_update(struct ctx *c);
int web_action_delete_confirm(struct ctx *c);
int web_action_delete(struct ctx *c);
int web_api_action_list(struct ctx *c);
int web_api_action_create(struct ctx *c);
int web_api_action_get(struct ctx *c);
int web_api_action_update(struct ctx *c);
int web_api_action_delete(struct ctx *c);
/* the CSV import and export of actions (action_import.c) */
int web_action_import_form(struct ctx *c);
int web_action_import_upload(struct ctx *c);
int web_action_import_run(struct ctx *c);
int web_action_import_template(struct ctx *c);
int web_action_csv(struct ctx *c);
int web_api_action_export(struct ctx *c);

/* figures: the figures pages, the yearly report and the figures API (figures.c, with the
 * models of figures_model.c) */
int web_figures_nation(struct ctx *c);
int web_figures_coordination(struct ctx *c);
int web_report_nation(struct ctx *c);
int web_report_coordination(struct ctx *c);
int web_api_figures(struct ctx *c);

/* calls for projects and applications: pages (call.c, call_app_page.c), API (call_api.c) */
int web_call_list(struct ctx *c);
int web_call_show(struct ctx *c);
int web_call_new(struct ctx *c);
int web_call_create(struct ctx *c);
int web_call_edit(struct ctx *c);
int web_call_update(struct ctx *c);
int web_call_delete_confirm(struct ctx *c);
int web_call_delete(struct ctx *c);
int web_call_app_new(struct ctx *c);
int web_call_app_create(struct ctx *c);
int web_call_app_mine(struct ctx *c);
int web_call_app_show(struct ctx *c);
int web_call_app_edit(struct ctx *c);
int web_call_app_update(struct ctx *c);
int web_call_app_submit(struct ctx *c);
int web_call_app_upload(struct ctx *c);
int web_call_app_file(struct ctx *c);
int web_call_app_decide(struct ctx *c);
int web_call_app_action(struct ctx *c);
int web_api_call_list(struct ctx *c);
int web_api_call_create(struct ctx *c);
int web_api_call_get(struct ctx *c);
int web_api_call_update(struct ctx *c);
int web_api_call_delete(struct ctx *c);
int web_api_call_apps(struct ctx *c);
int web_api_call_app_create(struct ctx *c);
int web_api_call_app_mine(struct ctx *c);
int web_api_call_app_get(struct ctx *c);
int web_api_call_app_update(struct ctx *c);
int web_api_call_app_submit(struct ctx *c);
int web_api_call_app_decide(struct ctx *c);
int web_api_call_app_action(struct ctx *c);
int web_api_call_app_file_add(struct ctx *c);
int web_api_call_app_file(struct ctx *c);

#endif
