// The RP would have stored session_state from its authentication response; here a fixed value.
document.cookie = 'session_state=' + encodeURIComponent('c2Vzc2lvbi1zdGF0ZQ.salt') + '; path=/; SameSite=Lax';
