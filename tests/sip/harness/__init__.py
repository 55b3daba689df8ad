"""Test harness for the softphone's SIP line: real third-party peers on loopback.

kamailio.Kamailio   registrar + proxy (digest auth, usrloc in memory)
pjsua.PjEnv/Account/Call   pjsua2 user agents inside the test process
baresip.Baresip     baresip as a separate process, driven over ctrl_tcp
pulse.PulseServer   a private PulseAudio with null sinks; Goertzel tone detection
lossy_relay         a UDP relay with loss and jitter, and the SIP forwarder that uses it
"""
