# Estadísticas: nombres de las variables de CTDC y de sus valores.
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

stat-var-year-of-registration = Año de registro
stat-var-datasource = Fuente de los datos
stat-var-gender = Género
stat-var-age-broad = Edad (tramo)
stat-var-majority-status = Mayoría de edad
stat-var-majority-status-at-exploit = Mayoría de edad durante la explotación
stat-var-majority-entry = Mayoría de edad al entrar en la trata
stat-var-citizenship = Ciudadanía
stat-var-means-of-control-debt-bondage = Medio de control: servidumbre por deudas
stat-var-means-of-control-takes-earnings = Medio de control: se queda con las ganancias
stat-var-means-of-control-restricts-financial-access = Medio de control: restringe el acceso al dinero
stat-var-means-of-control-threats = Medio de control: amenazas
stat-var-means-of-control-psychological-abuse = Medio de control: abuso psicológico
stat-var-means-of-control-physical-abuse = Medio de control: abuso físico
stat-var-means-of-control-sexual-abuse = Medio de control: abuso sexual
stat-var-means-of-control-false-promises = Medio de control: falsas promesas
stat-var-means-of-control-psychoactive-substances = Medio de control: sustancias psicoactivas
stat-var-means-of-control-restricts-movement = Medio de control: restringe la libertad de movimiento
stat-var-means-of-control-restricts-medical-care = Medio de control: restringe la atención médica
stat-var-means-of-control-excessive-working-hours = Medio de control: jornadas excesivas
stat-var-means-of-control-uses-children = Medio de control: se vale de los hijos
stat-var-means-of-control-threat-of-law-enforcement = Medio de control: amenaza con las autoridades
stat-var-means-of-control-withholds-necessities = Medio de control: priva de lo necesario
stat-var-means-of-control-withholds-documents = Medio de control: retiene los documentos
stat-var-means-of-control-other = Medio de control: otro
stat-var-means-of-control-not-specified = Medio de control: sin especificar
stat-var-means-of-control-concatenated = Medios de control (todos)
stat-var-is-forced-labour = Trabajo forzoso
stat-var-is-sexual-exploit = Explotación sexual
stat-var-is-other-exploit = Otra explotación
stat-var-is-sex-and-labour = Explotación sexual y trabajo forzoso
stat-var-is-forced-marriage = Matrimonio forzado
stat-var-is-forced-military = Servicio militar forzoso
stat-var-is-organ-removal = Extracción de órganos
stat-var-is-slavery-and-practices = Esclavitud y prácticas análogas
stat-var-type-of-exploit-concatenated = Tipos de explotación (texto publicado)
stat-var-type-of-labour-agriculture = Trabajo forzoso en: agricultura
stat-var-type-of-labour-aquafarming = Trabajo forzoso en: acuicultura
stat-var-type-of-labour-begging = Trabajo forzoso en: mendicidad
stat-var-type-of-labour-construction = Trabajo forzoso en: construcción
stat-var-type-of-labour-domestic-work = Trabajo forzoso en: trabajo doméstico
stat-var-type-of-labour-hospitality = Trabajo forzoso en: hostelería
stat-var-type-of-labour-illicit-activities = Trabajo forzoso en: actividades ilícitas
stat-var-type-of-labour-manufacturing = Trabajo forzoso en: manufactura
stat-var-type-of-labour-mining-or-drilling = Trabajo forzoso en: minería o perforación
stat-var-type-of-labour-peddling = Trabajo forzoso en: venta ambulante
stat-var-type-of-labour-transportation = Trabajo forzoso en: transporte
stat-var-type-of-labour-other = Trabajo forzoso en: otro
stat-var-type-of-labour-not-specified = Trabajo forzoso en: sin especificar
stat-var-type-of-labour-concatenated = Sectores del trabajo forzoso (todos)
stat-var-type-of-sex-prostitution = Explotación sexual: prostitución
stat-var-type-of-sex-pornography = Explotación sexual: pornografía
stat-var-type-of-sex-remote-interactive-services = Explotación sexual: servicios interactivos a distancia
stat-var-type-of-sex-private-sexual-services = Explotación sexual: servicios sexuales privados
stat-var-type-of-sex-concatenated = Formas de explotación sexual (todas)
stat-var-is-abduction = Secuestro
stat-var-recruiter-relationship = Relación con quien reclutó
stat-var-country-of-exploitation = País de explotación
stat-var-recruiter-relation-intimate-partner = Reclutador: pareja
stat-var-recruiter-relation-friend = Reclutador: amistad
stat-var-recruiter-relation-family = Reclutador: familia
stat-var-recruiter-relation-other = Reclutador: otra relación
stat-var-recruiter-relation-unknown = Reclutador: relación desconocida
stat-var-year-register = Año de registro (tramo)
stat-var-un-coo-region = Región de origen (ONU)
stat-var-un-coe-region = Región de explotación (ONU)
stat-var-ip-exploiter = Perpetrador: explotador
stat-var-ip-gender = Perpetrador: género
stat-var-ip-age-broad = Perpetrador: edad (tramo)
stat-var-ip-citizen-un-region = Perpetrador: región de ciudadanía (ONU)
stat-var-ip-relation = Perpetrador: relación con la víctima
stat-var-ip-pay-money = Perpetrador: pago de dinero
stat-var-ip-recruiter-broker = Perpetrador: reclutador o intermediario
stat-var-ip-transaction-process = Perpetrador: participó en la transacción
stat-var-ip-control-abuse-kidnap = Perpetrador: control, abuso o secuestro
stat-var-exploitation-types = Tipos de explotación

## Values

stat-value-yes = Sí
stat-value-no = No
stat-value-unknown-country = País desconocido
stat-value-female = Mujer
stat-value-male = Hombre
stat-value-transgender-non-conforming = Trans o no conforme
stat-value-unknown = Desconocido
stat-value-adult = Mayor de edad
stat-value-minor = Menor de edad
stat-value-case-management = Gestión de casos
stat-value-hotline = Línea de ayuda
stat-value-intimate-partner = Pareja
stat-value-friend = Amistad
stat-value-friend-acquaintance = Amistad o conocido
stat-value-family-relative = Familiar
stat-value-family = Familia
stat-value-other = Otro
stat-value-not-specified = Sin especificar
stat-value-africa = África
stat-value-americas = Américas
stat-value-asia = Asia
stat-value-europe = Europa
stat-value-oceania = Oceanía
stat-value-americas-oceania = Américas y Oceanía
stat-value-family-intimate-partner = Familia o pareja
stat-value-stranger-unknown-other = Desconocido u otra relación
stat-value-forced-labour = Trabajo forzoso
stat-value-sexual-exploitation = Explotación sexual
stat-value-other-exploitation = Otra explotación
stat-value-sexual-exploitation-and-forced-labour = Explotación sexual y trabajo forzoso
stat-value-forced-marriage = Matrimonio forzado
stat-value-forced-military-service = Servicio militar forzoso
stat-value-organ-removal = Extracción de órganos
stat-value-slavery-and-similar-practices = Esclavitud y prácticas análogas
