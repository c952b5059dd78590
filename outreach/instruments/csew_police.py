"""Crime Survey for England and Wales (CSEW): rating of the local police, adults.

Wording: "Taking everything into account, how good a job do you think the police
in this area are doing?", the CSEW question behind the ONS headline "thought the
police in their local area were doing a good or excellent job". Found verbatim in
the National Policing Improvement Agency's report "Public Confidence in the
Police" (Myhill & Beak, November 2008), which quotes the British Crime Survey
(now the CSEW) question used for Statutory Performance Indicator 2a.

Answer scale: Excellent, Good, Fair, Poor, Very poor, as in the ONS table "Trends
in ratings of the local police, year ending March 2004 to year ending March 2018
CSEW" (Crime in England and Wales: annual supplementary tables, year ending March
2018, Table S1; adults aged 16 and over). The ONS codes Excellent as 1; here the
values run the other way (Very poor 1 … Excellent 5) so that a rise is an
improvement, as on every other question. The ONS headline is the share answering
Good or Excellent (4 or 5 here).

Ages: 16 and over: the CSEW adult survey interviews "adults aged 16 and above".

Not here, and why:
- the CSEW statement "Taking everything into account I have confidence in the
  police in this area" (strongly agree … strongly disagree), the ONS's "overall
  confidence in the local police" measure: no stored copy of the ONS's or the
  survey's text gives its exact wording and scale, only paraphrases, so it is
  left out rather than written from memory;
- the 10 to 15 year olds' survey (asked since January 2009), whose questions on
  the police differ from the adults': its "overall opinion of the police" and the
  seven perception statements are described in ONS, "Chapter 2: 10 to 15 Year
  Olds' Perceptions of the Police" (Focus on Victimisation and Public Perceptions
  2012/13, 30 May 2014), but their exact wording and answer scales were not found
  in any stored copy. Under-16s are therefore not offered a CSEW question; the
  adult question is never put to them.

Licence: Crown copyright, Open Government Licence v3.0 with its attribution
statement.
"""
from . import Instrument, Item, Source, options, register

RATING = options("Very poor", "Poor", "Fair", "Good", "Excellent")

register(Instrument(
    code="csew_police",
    title="Crime Survey for England and Wales: rating of the local police (adults)",
    short_title="CSEW police rating",
    instructions="",
    items=(Item(1, "Taking everything into account, how good a job do you think the police in this area are "
                   "doing?", RATING,
                note="ONS headline: the share answering Good or Excellent."),),
    min_age=16,
    max_age=None,
    attribution=("Question from the Crime Survey for England and Wales, Office for National Statistics. "
                 "Contains public sector information licensed under the Open Government Licence v3.0."),
    licence="Open Government Licence v3.0.",
    sources=(
        Source("National Policing Improvement Agency (Myhill & Beak)", "Public Confidence in the Police "
               "(November 2008), quoting the British Crime Survey question for SPI 2a",
               "https://pdfslide.us/documents/public-confidence-in-the-police.html", "November 2008",
               "the question verbatim"),
        Source("Office for National Statistics", "Crime in England and Wales: annual supplementary tables, "
               "year ending March 2018, Table S1 (ratings of the local police)",
               "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/"
               "crimeinenglandandwalesannualsupplementarytables", "year ending March 2018",
               "the five answer labels and 'Adults aged 16 and over' verbatim"),
    ),
    notes=("The CSEW 'confidence in the police in this area' statement and the 10 to 15 year olds' version "
           "are not included: their exact wording was not found (see this module's docstring)."),
))
