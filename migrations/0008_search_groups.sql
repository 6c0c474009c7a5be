-- 0008: site search over workshop groups and logbook entries (issue 4, point 9), and the
-- index behind the "newest entries" lists (home page, Atom feeds, sitemap).
--
-- A search index covers one column, so each searched column has its own; src/search.c
-- combines them (a query whose words are spread over a group's title and its structure's name
-- still finds the group) and filters what the viewer may see in SQL. The indexes' tables
-- (<index>, <index>_doc) are derived data, rebuilt by this migration on a copy between engines.
--
-- @search groups_title_search ON groups(id) USING (title)
-- @search groups_description_search ON groups(id) USING (description)
-- @search structures_name_search ON structures(id) USING (name)
-- @search entries_title_search ON entries(id) USING (title)
-- @search entries_body_search ON entries(id) USING (body_md)

-- newest first across every logbook: the home page reads the first few visible ones
CREATE INDEX entries_date ON entries(entry_date, id);
