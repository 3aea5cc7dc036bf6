"""The baseline of the page benchmark: a Streamlit page with one plotly chart."""

import plotly.graph_objects as go
import streamlit as st

st.title("One chart")
st.plotly_chart(go.Figure(go.Scatter(x=[2020, 2021, 2022, 2023, 2024], y=[1, 3, 2, 4, 5])))
