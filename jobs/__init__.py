"""The reminder engine: what is due (policy), writing it down (sweep), sending it (dispatch), timing."""
