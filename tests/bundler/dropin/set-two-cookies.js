// Two cookies named session_state are visible on /dropin/ pages: the RP's (path=/dropin) and a stale
// one a write-back with the wrong scope would leave (path=/). Which is current cannot be told.
document.cookie = 'session_state=' + encodeURIComponent('c2Vzc2lvbi1zdGF0ZQ.salt') + '; path=/dropin; SameSite=Lax';
document.cookie = 'session_state=stale.value; path=/; SameSite=Lax';
