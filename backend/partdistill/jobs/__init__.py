"""Jobs that front ends submit: a request in, progress messages out, a result back.

`protocol` (requests, results, messages and their files) imports only the standard library and
numpy; `segment` runs the method. Nothing is imported here so that loading the protocol never
pulls in torch.
"""
