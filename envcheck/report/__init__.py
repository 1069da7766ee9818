"""The report and what travels with it: built from check results (build), validated (schema),
canonical and signed (canonical, signing), scrubbed of identity (privacy), shown to people
(render, explain), and the seeker's numbers it carries (seeker)."""
