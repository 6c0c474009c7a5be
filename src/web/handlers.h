/* handlers: every route handler, one group per area (home.c, auth.c, coordination.c,
 * structure.c, group.c, logbook.c, user.c with account_page.c and user_api.c, api.c). The route table in
 * routes.c points at these. */
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

#endif
