-- Sign-in failures per source address were kept under the raw address (`address:<ip>`); they are
-- now kept under a keyed digest of it. The old rows go: they held addresses, and their counts are
-- at most an hour's worth of throttling.
delete from login_throttle where key like 'address:%';
