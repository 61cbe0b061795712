# Statistics: names of the CTDC variables and of their values.
#
# Key scheme (the same in every language; `console/stats_labels.rs` builds the keys):
# - `stat-var-<name>`: a variable, <name> being its CTDC name in kebab case: each capital that
#   starts a word becomes `-` and a small letter, any other character (`_`, space, `/`) a single
#   `-`. `isSexualExploit` → `stat-var-is-sexual-exploit`, `UN_COO_Region` →
#   `stat-var-un-coo-region`, `IP_citizen_UNRegion` → `stat-var-ip-citizen-un-region`.
# - `stat-value-<value>`: a value that is a word, the same for every variable that has it
#   (`Female` → `stat-value-female`, `Transgender/NonConforming` →
#   `stat-value-transgender-non-conforming`, `Case Management` → `stat-value-case-management`).
#   A value of several parts joined with `;` is labelled part by part.
# - `stat-value-yes` / `stat-value-no`: the flags 1 and 0 (and the values Yes and No);
#   `stat-value-unknown-country`: the country code ZZ.
# Numbers and years are shown as they are; bands (`0--8`, `2014-2018`) with an en dash; country
# codes by their name in the directory; any value without a label as it is.

## Variables

stat-var-year-of-registration = Year of registration
stat-var-datasource = Data source
stat-var-gender = Gender
stat-var-age-broad = Age (band)
stat-var-majority-status = Adult or minor
stat-var-majority-status-at-exploit = Adult or minor when exploited
stat-var-majority-entry = Adult or minor on entering trafficking
stat-var-citizenship = Citizenship
stat-var-means-of-control-debt-bondage = Means of control: debt bondage
stat-var-means-of-control-takes-earnings = Means of control: takes earnings
stat-var-means-of-control-restricts-financial-access = Means of control: restricts financial access
stat-var-means-of-control-threats = Means of control: threats
stat-var-means-of-control-psychological-abuse = Means of control: psychological abuse
stat-var-means-of-control-physical-abuse = Means of control: physical abuse
stat-var-means-of-control-sexual-abuse = Means of control: sexual abuse
stat-var-means-of-control-false-promises = Means of control: false promises
stat-var-means-of-control-psychoactive-substances = Means of control: psychoactive substances
stat-var-means-of-control-restricts-movement = Means of control: restricts movement
stat-var-means-of-control-restricts-medical-care = Means of control: restricts medical care
stat-var-means-of-control-excessive-working-hours = Means of control: excessive working hours
stat-var-means-of-control-uses-children = Means of control: uses children
stat-var-means-of-control-threat-of-law-enforcement = Means of control: threat of law enforcement
stat-var-means-of-control-withholds-necessities = Means of control: withholds necessities
stat-var-means-of-control-withholds-documents = Means of control: withholds documents
stat-var-means-of-control-other = Means of control: other
stat-var-means-of-control-not-specified = Means of control: not specified
stat-var-means-of-control-concatenated = Means of control (all)
stat-var-is-forced-labour = Forced labour
stat-var-is-sexual-exploit = Sexual exploitation
stat-var-is-other-exploit = Other exploitation
stat-var-is-sex-and-labour = Sexual exploitation and forced labour
stat-var-is-forced-marriage = Forced marriage
stat-var-is-forced-military = Forced military service
stat-var-is-organ-removal = Organ removal
stat-var-is-slavery-and-practices = Slavery and similar practices
stat-var-type-of-exploit-concatenated = Types of exploitation (as published)
stat-var-type-of-labour-agriculture = Forced labour in: agriculture
stat-var-type-of-labour-aquafarming = Forced labour in: aquafarming
stat-var-type-of-labour-begging = Forced labour in: begging
stat-var-type-of-labour-construction = Forced labour in: construction
stat-var-type-of-labour-domestic-work = Forced labour in: domestic work
stat-var-type-of-labour-hospitality = Forced labour in: hospitality
stat-var-type-of-labour-illicit-activities = Forced labour in: illicit activities
stat-var-type-of-labour-manufacturing = Forced labour in: manufacturing
stat-var-type-of-labour-mining-or-drilling = Forced labour in: mining or drilling
stat-var-type-of-labour-peddling = Forced labour in: peddling
stat-var-type-of-labour-transportation = Forced labour in: transportation
stat-var-type-of-labour-other = Forced labour in: other
stat-var-type-of-labour-not-specified = Forced labour in: not specified
stat-var-type-of-labour-concatenated = Forced labour sectors (all)
stat-var-type-of-sex-prostitution = Sexual exploitation: prostitution
stat-var-type-of-sex-pornography = Sexual exploitation: pornography
stat-var-type-of-sex-remote-interactive-services = Sexual exploitation: remote interactive services
stat-var-type-of-sex-private-sexual-services = Sexual exploitation: private sexual services
stat-var-type-of-sex-concatenated = Forms of sexual exploitation (all)
stat-var-is-abduction = Abduction
stat-var-recruiter-relationship = Relationship with the recruiter
stat-var-country-of-exploitation = Country of exploitation
stat-var-recruiter-relation-intimate-partner = Recruiter: intimate partner
stat-var-recruiter-relation-friend = Recruiter: friend
stat-var-recruiter-relation-family = Recruiter: family
stat-var-recruiter-relation-other = Recruiter: other
stat-var-recruiter-relation-unknown = Recruiter: unknown
stat-var-year-register = Year of registration (band)
stat-var-un-coo-region = Region of origin (UN)
stat-var-un-coe-region = Region of exploitation (UN)
stat-var-ip-exploiter = Perpetrator: exploiter
stat-var-ip-gender = Perpetrator: gender
stat-var-ip-age-broad = Perpetrator: age (band)
stat-var-ip-citizen-un-region = Perpetrator: region of citizenship (UN)
stat-var-ip-relation = Perpetrator: relationship to the victim
stat-var-ip-pay-money = Perpetrator: money paid
stat-var-ip-recruiter-broker = Perpetrator: recruiter or broker
stat-var-ip-transaction-process = Perpetrator: took part in the transaction
stat-var-ip-control-abuse-kidnap = Perpetrator: control, abuse or kidnapping
stat-var-exploitation-types = Types of exploitation

## Values

stat-value-yes = Yes
stat-value-no = No
stat-value-unknown-country = Unknown country
stat-value-female = Female
stat-value-male = Male
stat-value-transgender-non-conforming = Transgender or non-conforming
stat-value-unknown = Unknown
stat-value-adult = Adult
stat-value-minor = Minor
stat-value-case-management = Case management
stat-value-hotline = Hotline
stat-value-intimate-partner = Intimate partner
stat-value-friend = Friend
stat-value-friend-acquaintance = Friend or acquaintance
stat-value-family-relative = Family member
stat-value-family = Family
stat-value-other = Other
stat-value-not-specified = Not specified
stat-value-africa = Africa
stat-value-americas = Americas
stat-value-asia = Asia
stat-value-europe = Europe
stat-value-oceania = Oceania
stat-value-americas-oceania = Americas and Oceania
stat-value-family-intimate-partner = Family or intimate partner
stat-value-stranger-unknown-other = Stranger, unknown or other
stat-value-forced-labour = Forced labour
stat-value-sexual-exploitation = Sexual exploitation
stat-value-other-exploitation = Other exploitation
stat-value-sexual-exploitation-and-forced-labour = Sexual exploitation and forced labour
stat-value-forced-marriage = Forced marriage
stat-value-forced-military-service = Forced military service
stat-value-organ-removal = Organ removal
stat-value-slavery-and-similar-practices = Slavery and similar practices
