# Statistiques : noms des variables CTDC et de leurs valeurs.
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

stat-var-year-of-registration = Année d’enregistrement
stat-var-datasource = Source des données
stat-var-gender = Genre
stat-var-age-broad = Âge (tranche)
stat-var-majority-status = Majeur ou mineur
stat-var-majority-status-at-exploit = Majeur ou mineur lors de l’exploitation
stat-var-majority-entry = Majeur ou mineur à l’entrée dans la traite
stat-var-citizenship = Nationalité
stat-var-means-of-control-debt-bondage = Moyen de contrôle : servitude pour dettes
stat-var-means-of-control-takes-earnings = Moyen de contrôle : confisque les gains
stat-var-means-of-control-restricts-financial-access = Moyen de contrôle : restreint l’accès à l’argent
stat-var-means-of-control-threats = Moyen de contrôle : menaces
stat-var-means-of-control-psychological-abuse = Moyen de contrôle : violences psychologiques
stat-var-means-of-control-physical-abuse = Moyen de contrôle : violences physiques
stat-var-means-of-control-sexual-abuse = Moyen de contrôle : violences sexuelles
stat-var-means-of-control-false-promises = Moyen de contrôle : fausses promesses
stat-var-means-of-control-psychoactive-substances = Moyen de contrôle : substances psychoactives
stat-var-means-of-control-restricts-movement = Moyen de contrôle : restreint les déplacements
stat-var-means-of-control-restricts-medical-care = Moyen de contrôle : restreint l’accès aux soins
stat-var-means-of-control-excessive-working-hours = Moyen de contrôle : horaires de travail excessifs
stat-var-means-of-control-uses-children = Moyen de contrôle : se sert des enfants
stat-var-means-of-control-threat-of-law-enforcement = Moyen de contrôle : menace de dénonciation aux autorités
stat-var-means-of-control-withholds-necessities = Moyen de contrôle : prive du nécessaire
stat-var-means-of-control-withholds-documents = Moyen de contrôle : confisque les papiers
stat-var-means-of-control-other = Moyen de contrôle : autre
stat-var-means-of-control-not-specified = Moyen de contrôle : non précisé
stat-var-means-of-control-concatenated = Moyens de contrôle (tous)
stat-var-is-forced-labour = Travail forcé
stat-var-is-sexual-exploit = Exploitation sexuelle
stat-var-is-other-exploit = Autre exploitation
stat-var-is-sex-and-labour = Exploitation sexuelle et travail forcé
stat-var-is-forced-marriage = Mariage forcé
stat-var-is-forced-military = Service militaire forcé
stat-var-is-organ-removal = Prélèvement d’organes
stat-var-is-slavery-and-practices = Esclavage et pratiques analogues
stat-var-type-of-exploit-concatenated = Types d’exploitation (texte publié)
stat-var-type-of-labour-agriculture = Travail forcé : agriculture
stat-var-type-of-labour-aquafarming = Travail forcé : aquaculture
stat-var-type-of-labour-begging = Travail forcé : mendicité
stat-var-type-of-labour-construction = Travail forcé : construction
stat-var-type-of-labour-domestic-work = Travail forcé : travail domestique
stat-var-type-of-labour-hospitality = Travail forcé : hôtellerie et restauration
stat-var-type-of-labour-illicit-activities = Travail forcé : activités illicites
stat-var-type-of-labour-manufacturing = Travail forcé : industrie manufacturière
stat-var-type-of-labour-mining-or-drilling = Travail forcé : mines et forage
stat-var-type-of-labour-peddling = Travail forcé : colportage
stat-var-type-of-labour-transportation = Travail forcé : transport
stat-var-type-of-labour-other = Travail forcé : autre
stat-var-type-of-labour-not-specified = Travail forcé : non précisé
stat-var-type-of-labour-concatenated = Secteurs du travail forcé (tous)
stat-var-type-of-sex-prostitution = Exploitation sexuelle : prostitution
stat-var-type-of-sex-pornography = Exploitation sexuelle : pornographie
stat-var-type-of-sex-remote-interactive-services = Exploitation sexuelle : services interactifs à distance
stat-var-type-of-sex-private-sexual-services = Exploitation sexuelle : services sexuels privés
stat-var-type-of-sex-concatenated = Formes d’exploitation sexuelle (toutes)
stat-var-is-abduction = Enlèvement
stat-var-recruiter-relationship = Lien avec le recruteur
stat-var-country-of-exploitation = Pays d’exploitation
stat-var-recruiter-relation-intimate-partner = Recruteur : partenaire intime
stat-var-recruiter-relation-friend = Recruteur : ami
stat-var-recruiter-relation-family = Recruteur : famille
stat-var-recruiter-relation-other = Recruteur : autre lien
stat-var-recruiter-relation-unknown = Recruteur : lien inconnu
stat-var-year-register = Année d’enregistrement (tranche)
stat-var-un-coo-region = Région d’origine (ONU)
stat-var-un-coe-region = Région d’exploitation (ONU)
stat-var-ip-exploiter = Auteur : exploiteur
stat-var-ip-gender = Auteur : genre
stat-var-ip-age-broad = Auteur : âge (tranche)
stat-var-ip-citizen-un-region = Auteur : région de nationalité (ONU)
stat-var-ip-relation = Auteur : lien avec la victime
stat-var-ip-pay-money = Auteur : paiement d’argent
stat-var-ip-recruiter-broker = Auteur : recruteur ou intermédiaire
stat-var-ip-transaction-process = Auteur : a pris part à la transaction
stat-var-ip-control-abuse-kidnap = Auteur : contrôle, violences ou enlèvement
stat-var-exploitation-types = Types d’exploitation

## Values

stat-value-yes = Oui
stat-value-no = Non
stat-value-unknown-country = Pays inconnu
stat-value-female = Femme
stat-value-male = Homme
stat-value-transgender-non-conforming = Transgenre ou non conforme
stat-value-unknown = Inconnu
stat-value-adult = Majeur
stat-value-minor = Mineur
stat-value-case-management = Gestion de cas
stat-value-hotline = Ligne d’assistance
stat-value-intimate-partner = Partenaire intime
stat-value-friend = Ami
stat-value-friend-acquaintance = Ami ou connaissance
stat-value-family-relative = Membre de la famille
stat-value-family = Famille
stat-value-other = Autre
stat-value-not-specified = Non précisé
stat-value-africa = Afrique
stat-value-americas = Amériques
stat-value-asia = Asie
stat-value-europe = Europe
stat-value-oceania = Océanie
stat-value-americas-oceania = Amériques et Océanie
stat-value-family-intimate-partner = Famille ou partenaire intime
stat-value-stranger-unknown-other = Inconnu ou autre lien
stat-value-forced-labour = Travail forcé
stat-value-sexual-exploitation = Exploitation sexuelle
stat-value-other-exploitation = Autre exploitation
stat-value-sexual-exploitation-and-forced-labour = Exploitation sexuelle et travail forcé
stat-value-forced-marriage = Mariage forcé
stat-value-forced-military-service = Service militaire forcé
stat-value-organ-removal = Prélèvement d’organes
stat-value-slavery-and-similar-practices = Esclavage et pratiques analogues
