/* routes: the route table, one row per route (method, pattern, handler, least role).
 * More specific patterns come first. The role-matrix test reads this table through
 * `lanterne routes`, so every row here must have an entry in tests/http/role-matrix.json. */
#include "web/handlers.h"

#define A ROLE_ANON
#define P ROLE_PARTICIPANT
#define S ROLE_SUPERVISOR
#define C ROLE_COORDINATOR
#define ADM ROLE_ADMIN
#define API ROUTE_API
#define PUB ROUTE_PUBLIC
#define CACHE ROUTE_CACHE

const struct route web_routes[] = {
    {"GET", "/", web_home, A, CACHE},
    {"GET", "/healthz", web_healthz, A, PUB},
    {"GET", "/static/*", web_static, A, PUB},
    {"GET", "/langue/{lang}", web_lang, A, PUB},
    {"GET", "/connexion", web_login_get, A, 0},
    {"POST", "/connexion", web_login_post, A, 0},
    {"POST", "/deconnexion", web_logout, P, 0},

    {"GET", "/coordinations", web_coordination_list, A, CACHE},
    {"POST", "/coordinations", web_coordination_create, ADM, 0},
    {"GET", "/coordinations/nouvelle", web_coordination_new, ADM, 0},
    {"GET", "/coordinations/{slug}/modifier", web_coordination_edit, ADM, 0},
    {"GET", "/coordinations/{slug}", web_coordination_show, A, CACHE},
    {"POST", "/coordinations/{slug}", web_coordination_update, ADM, 0},

    {"GET", "/structures", web_structure_list, A, CACHE},
    {"POST", "/structures", web_structure_create, C, 0},
    {"GET", "/structures/nouvelle", web_structure_new, C, 0},
    {"GET", "/structures/{id}/modifier", web_structure_edit, C, 0},
    {"GET", "/structures/{id}/supprimer", web_structure_delete_confirm, C, 0},
    {"POST", "/structures/{id}/supprimer", web_structure_delete, C, 0},
    {"GET", "/structures/{id}", web_structure_show, A, CACHE},
    {"POST", "/structures/{id}", web_structure_update, C, 0},

    /* CACHE on group pages is for anonymous visitors only: what they see changes with a
     * commit (settings, consents, tags: the cache's data version moves) or with the date
     * (an expiring consent: the day is in the cache key). Signed-in viewers are never
     * served from the cache. */
    {"GET", "/groupes", web_group_list, A, CACHE},
    {"POST", "/groupes", web_group_create, S, 0},
    {"GET", "/groupes/nouveau", web_group_new, S, 0},
    {"GET", "/groupes/{slug}/modifier", web_group_edit, S, 0},
    {"GET", "/groupes/{slug}/participants", web_group_participants, S, 0},
    {"POST", "/groupes/{slug}/participants", web_group_participant_add, S, 0},
    {"GET", "/groupes/{slug}/participants/{id}/consentement", web_group_consent, S, 0},
    {"POST", "/groupes/{slug}/participants/{id}/consentement", web_group_consent_record, S, 0},
    {"POST", "/groupes/{slug}/participants/{id}/retrait", web_group_consent_withdraw, S, 0},
    {"GET", "/groupes/{slug}/journal", web_group_journal, S, 0},
    {"GET", "/groupes/{slug}/carnet", web_logbook_show, A, CACHE},
    /* a public document: the same for everyone, so no session is looked up */
    {"GET", "/groupes/{slug}/carnet.atom", web_feed_atom, A, PUB},
    {"POST", "/groupes/{slug}/carnet", web_logbook_create, P, 0},
    {"GET", "/groupes/{slug}/carnet/{id}/modifier", web_logbook_edit, P, 0},
    {"GET", "/groupes/{slug}/carnet/{id}/historique", web_logbook_history, S, 0},
    {"GET", "/groupes/{slug}/carnet/{id}/supprimer", web_logbook_delete_confirm, P, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/supprimer", web_logbook_delete, P, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/restaurer", web_logbook_undo, P, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/approuver", web_logbook_approve, S, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/commentaires", web_comment_create, P, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/commentaires/{cid}/masquer", web_comment_hide, S, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/commentaires/{cid}/afficher", web_comment_show, S, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/commentaires/{cid}/approuver", web_comment_approve, S, 0},
    {"GET", "/groupes/{slug}/carnet/{id}/photos", web_photo_manage, P, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/photos", web_photo_upload, P, 0},
    {"GET", "/groupes/{slug}/carnet/{id}/photos/{pid}/supprimer", web_photo_delete_confirm, P, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/photos/{pid}/supprimer", web_photo_delete, P, 0},
    {"POST", "/groupes/{slug}/carnet/{id}/photos/{pid}/couverture", web_photo_cover_set, S, 0},
    {"GET", "/groupes/{slug}/carnet/{id}/photos/{pid}", web_photo_show, A, CACHE},
    {"POST", "/groupes/{slug}/carnet/{id}/photos/{pid}", web_photo_update, P, 0},
    {"GET", "/groupes/{slug}/carnet/{id}", web_logbook_entry, A, CACHE},
    {"POST", "/groupes/{slug}/carnet/{id}", web_logbook_update, P, 0},
    {"GET", "/groupes/{slug}", web_group_show, A, CACHE},
    {"POST", "/groupes/{slug}", web_group_update, S, 0},

    /* films: no page cache (what a visitor sees follows consents, as on group pages) */
    {"GET", "/films", web_film_list, A, 0},
    {"POST", "/films", web_film_create, P, 0},
    /* a public document: the same for everyone, so no session is looked up */
    {"GET", "/films.atom", web_film_feed, A, PUB},
    {"GET", "/films/nouveau", web_film_new, P, 0},
    {"GET", "/films/collections/{slug}", web_film_collection, A, 0},
    {"GET", "/films/{id}/embed", web_film_embed, A, PUB},
    {"GET", "/films/{id}/modifier", web_film_edit, P, 0},
    {"GET", "/films/{id}/generique", web_film_extras, P, 0},
    {"POST", "/films/{id}/generique", web_film_credits, P, 0},
    {"POST", "/films/{id}/affiche", web_film_poster, P, 0},
    {"POST", "/films/{id}/sous-titres", web_film_caption_upload, P, 0},
    {"POST", "/films/{id}/sous-titres/supprimer", web_film_caption_delete, P, 0},
    {"GET", "/films/{id}/fichier", web_film_upload_page, P, 0},
    {"POST", "/films/{id}/relancer", web_film_retry, P, 0},
    {"GET", "/films/{id}/supprimer", web_film_delete_confirm, P, 0},
    {"POST", "/films/{id}/supprimer", web_film_delete, P, 0},
    {"GET", "/films/{id}", web_film_show, A, 0},
    {"POST", "/films/{id}", web_film_update, P, 0},
    /* every film file request is checked against the viewer's rights */
    {"GET", "/media/films/{id}/*", web_media_film, A, 0},

    /* every photo request is checked against the viewer's rights: no page cache, no PUB */
    {"GET", "/media/photos/{id}/{file}", web_media_photo, A, 0},

    /* no CACHE on search: its endless distinct queries would push the home page and the
     * lists out of the page cache's few slots */
    {"GET", "/recherche", web_search, A, 0},
    {"GET", "/sitemap.xml", web_sitemap, A, PUB | CACHE},
    {"GET", "/robots.txt", web_robots, A, PUB | CACHE},

    /* anyone may report what they can see, anonymous visitors included */
    {"GET", "/signaler", web_report_form, A, 0},
    {"POST", "/signaler", web_report_create, A, 0},
    {"GET", "/moderation", web_moderation, S, 0},
    {"POST", "/moderation/signalements/{id}/clore", web_report_close, S, 0},

    {"GET", "/compte", web_account_show, P, 0},
    {"POST", "/compte/jetons", web_token_create, P, 0},
    {"POST", "/compte/jetons/{id}/supprimer", web_token_delete, P, 0},

    {"GET", "/admin/utilisateurs", web_user_list, ADM, 0},
    {"POST", "/admin/utilisateurs", web_user_create, ADM, 0},
    {"GET", "/admin/utilisateurs/nouveau", web_user_new, ADM, 0},
    {"GET", "/admin/utilisateurs/{id}", web_user_edit, ADM, 0},
    {"POST", "/admin/utilisateurs/{id}", web_user_update, ADM, 0},

    {"GET", "/api/v1/openapi.json", web_api_openapi, A, API | PUB},
    {"GET", "/api/v1/communes", web_api_communes, A, API | CACHE},
    {"GET", "/api/v1/communes/{code}", web_api_commune_get, A, API | CACHE},
    {"GET", "/api/v1/departements", web_api_departements, A, API | CACHE},
    {"GET", "/api/v1/coordinations", web_api_coordination_list, A, API | CACHE},
    {"POST", "/api/v1/coordinations", web_api_coordination_create, ADM, API},
    {"GET", "/api/v1/coordinations/{slug}", web_api_coordination_get, A, API | CACHE},
    {"PUT", "/api/v1/coordinations/{slug}", web_api_coordination_update, ADM, API},
    {"GET", "/api/v1/structures", web_api_structure_list, A, API | CACHE},
    {"POST", "/api/v1/structures", web_api_structure_create, C, API},
    {"GET", "/api/v1/structures/{id}", web_api_structure_get, A, API | CACHE},
    {"PUT", "/api/v1/structures/{id}", web_api_structure_update, C, API},
    {"DELETE", "/api/v1/structures/{id}", web_api_structure_delete, C, API},
    {"GET", "/api/v1/me", web_api_me, P, API},
    {"GET", "/api/v1/users", web_api_user_list, ADM, API},
    {"POST", "/api/v1/users", web_api_user_create, ADM, API},
    {"GET", "/api/v1/users/{id}", web_api_user_get, ADM, API},
    {"PUT", "/api/v1/users/{id}", web_api_user_update, ADM, API},
    /* no CACHE on the group and entry API: the pages are the cached face for anonymous
     * visitors; these answers depend on consents and are computed on every request */
    {"GET", "/api/v1/groups", web_api_group_list, A, API},
    {"POST", "/api/v1/groups", web_api_group_create, S, API},
    {"GET", "/api/v1/groups/{slug}/participants", web_api_participant_list, S, API},
    {"POST", "/api/v1/groups/{slug}/participants", web_api_participant_create, S, API},
    {"GET", "/api/v1/groups/{slug}/participants/{id}/consents", web_api_consent_list, S, API},
    {"POST", "/api/v1/groups/{slug}/participants/{id}/consents", web_api_consent_record, S, API},
    {"POST", "/api/v1/groups/{slug}/participants/{id}/consents/withdraw", web_api_consent_withdraw,
     S, API},
    {"GET", "/api/v1/groups/{slug}/participants/{id}", web_api_participant_get, S, API},
    {"PUT", "/api/v1/groups/{slug}/participants/{id}", web_api_participant_update, S, API},
    {"GET", "/api/v1/groups/{slug}/audit", web_api_group_audit, S, API},
    {"GET", "/api/v1/groups/{slug}/entries", web_api_entry_list, A, API},
    {"POST", "/api/v1/groups/{slug}/entries", web_api_entry_create, P, API},
    {"GET", "/api/v1/groups/{slug}", web_api_group_get, A, API},
    {"PUT", "/api/v1/groups/{slug}", web_api_group_update, S, API},
    {"POST", "/api/v1/entries/{id}/restore", web_api_entry_restore, P, API},
    {"POST", "/api/v1/entries/{id}/approve", web_api_entry_approve, S, API},
    {"GET", "/api/v1/entries/{id}", web_api_entry_get, A, API},
    {"PUT", "/api/v1/entries/{id}", web_api_entry_update, P, API},
    {"DELETE", "/api/v1/entries/{id}", web_api_entry_delete, P, API},
    {"GET", "/api/v1/entries/{id}/photos", web_api_photo_list, A, API},
    {"POST", "/api/v1/entries/{id}/photos", web_api_photo_upload, P, API},
    {"GET", "/api/v1/photos/{id}", web_api_photo_get, A, API},
    {"PUT", "/api/v1/photos/{id}", web_api_photo_update, P, API},
    {"DELETE", "/api/v1/photos/{id}", web_api_photo_delete, P, API},
    {"GET", "/api/v1/search", web_api_search, A, API},
    {"GET", "/api/v1/entries/{id}/comments", web_api_comment_list, A, API},
    {"POST", "/api/v1/entries/{id}/comments", web_api_comment_create, P, API},
    {"GET", "/api/v1/comments/{id}", web_api_comment_get, A, API},
    {"POST", "/api/v1/comments/{id}/hide", web_api_comment_hide, S, API},
    {"POST", "/api/v1/comments/{id}/approve", web_api_comment_approve, S, API},
    {"POST", "/api/v1/reports", web_api_report_create, A, API},
    {"GET", "/api/v1/moderation", web_api_moderation, S, API},
    {"OPTIONS", "/api/v1/uploads", web_api_upload_options, A, API | PUB},
    {"POST", "/api/v1/uploads", web_api_upload_create, P, API},
    {"GET", "/api/v1/uploads/{id}", web_api_upload_head, P, API},
    {"PATCH", "/api/v1/uploads/{id}", web_api_upload_patch, P, API},
    {"DELETE", "/api/v1/uploads/{id}", web_api_upload_delete, P, API},
    {"GET", "/test-files/{name}", web_test_file, A, PUB},
    {"GET", "/api/v1/films", web_api_film_list, A, API},
    {"POST", "/api/v1/films", web_api_film_create, P, API},
    {"GET", "/api/v1/films/{id}/status", web_api_film_status, A, API},
    {"PUT", "/api/v1/films/{id}/captions/{lang}", web_api_film_caption_put, P, API},
    {"DELETE", "/api/v1/films/{id}/captions/{lang}", web_api_film_caption_delete, P, API},
    {"GET", "/api/v1/films/{id}", web_api_film_get, A, API},
    {"PUT", "/api/v1/films/{id}", web_api_film_update, P, API},
    {"DELETE", "/api/v1/films/{id}", web_api_film_delete, P, API},
    {"GET", "/api/v1/collections", web_api_collection_list, A, API},
    {"POST", "/api/v1/collections", web_api_collection_create, C, API},
    {"GET", "/api/v1/collections/{slug}", web_api_collection_get, A, API},
    {"POST", "/api/v1/collections/{slug}/films", web_api_collection_add, C, API},
    {"DELETE", "/api/v1/collections/{slug}/films/{id}", web_api_collection_remove, C, API},
    {NULL, NULL, NULL, A, 0},
};
