from event_bus import EventBus

bus = EventBus()
bus.subscribe("saved", lambda doc: f"indexed {doc}")
off = bus.subscribe("saved", lambda doc: 1 / 0)
bus.subscribe("saved", lambda doc: doc.upper())
assert bus.publish("saved", "a") == ["indexed a", "A"]
assert len(bus.errors) == 1 and isinstance(bus.errors[0], ZeroDivisionError)
off()
assert bus.publish("saved", "b") == ["indexed b", "B"]
assert len(bus.errors) == 1
assert bus.publish("deleted", "c") == []
