"""The ground floor: the record types every part of reev shares, as plain pydantic data.

An episode's record (`records`), what it holds (instructions, transactions, account
states, assertion verdicts, flow scores), the results of episodes that could not run
(`errors`) and the summaries readers get back from the store (`summaries`). This package
imports no other part of reev; every other part imports it.
"""
