"""The one execution path: validate, bind context, enforce timeout, capture logs, record."""
