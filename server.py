"""The dashboard's server: app.py, plus the HTTP routes that make a password login last (ui/login_routes.py).

`streamlit run server.py` finds `app` below (Streamlit 1.67 st.App: app.py's pages over Starlette, with our routes
beside them) and serves it as `streamlit run app.py` would, with the same options and .streamlit/config.toml.
`streamlit run app.py` still works, but its logins last only as long as the browser tab.
"""

import streamlit as st

from ui.login_routes import routes

app = st.App("app.py", routes=routes())
