"""Colab as students get it: its versions (constraints.txt) and what the Colab tests share."""
