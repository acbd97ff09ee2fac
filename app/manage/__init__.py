"""Coordinators' workspace: consultations, surveys, meeting places, QR codes and posters."""
