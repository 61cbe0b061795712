-- What each differentially private release was made from, and its evaluation against the exact
-- data (JSON): kept in the country beside the release's spend and shown to its supervisors, never
-- written into the bundle, whose figures must all be public, noisy or derived from the released
-- data.
alter table privacy_spends add column source text not null default '';
alter table privacy_spends add column evaluation text;
