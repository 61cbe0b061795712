-- Zero-concentrated DP in the ledger. A zCDP release spends ρ (in millionths); the year's ρ add up
-- and are converted to (ε, δ) together, at the largest δ any of them was converted at, which is
-- far less than adding each release's own conversion. privacy_budget's epsilon_micros and
-- delta_femtos stay the year's whole charge: the pure and approximate releases' sum plus that
-- conversion, whose ε is kept apart (rho_epsilon_micros) so the sum can be recovered exactly.
alter table privacy_budget add column rho_micros bigint not null default 0;
alter table privacy_budget add column rho_delta_femtos bigint not null default 0;
alter table privacy_budget add column rho_epsilon_micros bigint not null default 0;
-- A zCDP release's ρ; its epsilon_micros and delta_femtos are its own conversion, for the record.
alter table privacy_spends add column rho_micros bigint not null default 0;
